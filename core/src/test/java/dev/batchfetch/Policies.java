package dev.batchfetch;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * The three policies every scenario runs under. With {@code -Dbatchfetch.test.executor=virtual}
 * (Java 21 and later: CI's second run, on the newest JDK) the blocking policies run their calls on
 * one virtual-thread-per-task executor of the test's, as an application would give them, which no
 * fetcher may shut down.
 */
final class Policies {
  /** The executor of the blocking policies, or null for the fetchers' own threads. */
  static final ExecutorService USERS = usersExecutor();

  private Policies() {}

  static Stream<ExecutionPolicy> all() {
    return Stream.of(sequential(), pool(4), ExecutionPolicy.async(16));
  }

  /** The policies that run more than one call at a time. */
  static Stream<ExecutionPolicy> concurrent() {
    return Stream.of(pool(8), ExecutionPolicy.async(8));
  }

  /** {@code sequential()}, or on the users' executor when the run asks for one. */
  static ExecutionPolicy sequential() {
    Executor users = USERS;
    return users == null ? ExecutionPolicy.sequential() : ExecutionPolicy.sequential(users);
  }

  /** {@code pool(threads)}, or on the users' executor when the run asks for one. */
  static ExecutionPolicy pool(int threads) {
    Executor users = USERS;
    return users == null ? ExecutionPolicy.pool(threads) : ExecutionPolicy.pool(users, threads);
  }

  @SuppressWarnings("NullAway") // null when the run asks for no executor of the user's
  private static ExecutorService usersExecutor() {
    String kind = System.getProperty("batchfetch.test.executor", "");
    if (kind.isEmpty()) {
      return null;
    }
    if (!kind.equals("virtual")) {
      throw new IllegalArgumentException(
          "batchfetch.test.executor must be \"virtual\" or unset, was \"" + kind + "\"");
    }
    try {
      return (ExecutorService)
          Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "batchfetch.test.executor=virtual needs Java 21 or later, this is " + Runtime.version(),
          e);
    }
  }
}
