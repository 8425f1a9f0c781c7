package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The blocking policies on an executor of the user's: the calls run there, no more of them at once
 * than the policy's width, the context the executor carries reaches them, and the fetcher never
 * shuts the executor down.
 */
@Timeout(30)
class UsersExecutorTest {
  private static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();

  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final AtomicInteger made = new AtomicInteger();
  private final ExecutorService users =
      Executors.newCachedThreadPool(task -> new Thread(task, "users-" + made.incrementAndGet()));
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    users.shutdownNow();
  }

  static Stream<Integer> widths() {
    return Stream.of(1, 3);
  }

  @ParameterizedTest
  @MethodSource("widths")
  void callsRunOnTheUsersExecutorNoMoreAtOnceThanTheWidth(int width) {
    IdDispatcher dispatcher = new IdDispatcher(release);
    server.setDispatcher(dispatcher);
    Set<String> callers = ConcurrentHashMap.newKeySet();
    ExecutionPolicy policy =
        width == 1 ? ExecutionPolicy.sequential(users) : ExecutionPolicy.pool(users, width);
    BatchFetcher fetcher = leaks.track(fetcher(policy, callers));

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(Urls.ids(server, 12));
    await().until(() -> dispatcher.inFlight() == width);
    release.countDown();

    assertThat(batch.join()).hasSize(12).allMatch(Result::isSuccess);
    assertThat(dispatcher.maxInFlight()).isEqualTo(width);
    assertThat(callers).isNotEmpty().allMatch(name -> name.startsWith("users-"));
    NoLeaks.closeAndCheck(fetcher);
    assertThat(users.isShutdown()).as("the user's executor after close").isFalse();
    assertThat(users.submit(() -> "still works")).succeedsWithin(java.time.Duration.ofSeconds(5));
  }

  @Test
  void theContextTheExecutorCarriesReachesEveryCall() {
    server.setDispatcher(new IdDispatcher());
    Set<String> seen = ConcurrentHashMap.newKeySet();
    CONTEXT.set("request-42");
    Executor carrying = carryingContext(users);
    CONTEXT.remove();
    OkHttpClient client =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  seen.add(String.valueOf(CONTEXT.get()));
                  return chain.proceed(chain.request());
                })
            .build();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .client(client)
                .policy(ExecutionPolicy.pool(carrying, 4))
                .build());
    assertThat(fetcher.fetchAll(Urls.ids(server, 20)).join()).allMatch(Result::isSuccess);

    assertThat(seen).containsExactly("request-42");
  }

  @Test
  void anExecutorThatRefusesGivesRejectedResults() {
    server.setDispatcher(new IdDispatcher());
    users.shutdown();
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(ExecutionPolicy.pool(users, 2)).build());

    List<Result> results = fetcher.fetchAll(Urls.ids(server, 5)).join();

    assertThat(results).hasSize(5).allMatch(r -> r.error() == ErrorKind.REJECTED);
  }

  @Test
  void thePolicySaysWhoseThreads() {
    assertThat(ExecutionPolicy.pool(users, 2))
        .isEqualTo(ExecutionPolicy.pool(users, 2))
        .isNotEqualTo(ExecutionPolicy.pool(2));
    assertThat(((ExecutionPolicy.Pool) ExecutionPolicy.pool(users, 2)).executor()).isSameAs(users);
    assertThat(ExecutionPolicy.sequential(users).width()).isEqualTo(1);
    assertThat(ExecutionPolicy.pool(2).toString()).isEqualTo("pool(2)");
    assertThat(ExecutionPolicy.sequential().toString()).isEqualTo("sequential");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExecutionPolicy.pool(users, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrent must be at least 1, was 0");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExecutionPolicy.pool(null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("executor");
  }

  /** CI's second run: proves the blocking policies of every scenario really run virtual. */
  @Test
  void theTestsPoliciesRunOnVirtualThreadsWhenTheRunAsksForThem() throws Exception {
    assumeTrue(Policies.USERS != null, "-Dbatchfetch.test.executor=virtual not set");
    server.setDispatcher(new IdDispatcher());
    java.lang.reflect.Method isVirtual = Thread.class.getMethod("isVirtual");
    Set<Object> virtual = ConcurrentHashMap.newKeySet();
    OkHttpClient client =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  try {
                    virtual.add(isVirtual.invoke(Thread.currentThread()));
                  } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                  }
                  return chain.proceed(chain.request());
                })
            .build();

    for (ExecutionPolicy policy : List.of(Policies.sequential(), Policies.pool(4))) {
      BatchFetcher fetcher =
          leaks.track(BatchFetcher.builder().client(client).policy(policy).build());
      assertThat(fetcher.fetchAll(Urls.ids(server, 8)).join()).allMatch(Result::isSuccess);
    }

    assertThat(virtual).containsExactly(true);
  }

  private BatchFetcher fetcher(ExecutionPolicy policy, Set<String> callers) {
    OkHttpClient client =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  callers.add(Thread.currentThread().getName());
                  return chain.proceed(chain.request());
                })
            .build();
    return BatchFetcher.builder().client(client).policy(policy).build();
  }

  /**
   * What an MDC- or tracing-aware executor does, the way OpenTelemetry's {@code
   * Context.current().wrap(executor)} does it: the context of the thread that made it, around each
   * task. (One that reads the context at {@code execute} time reads the fetcher's thread's: the
   * fetcher, not the caller, hands it the calls.)
   */
  private static Executor carryingContext(Executor executor) {
    String context = CONTEXT.get();
    return task -> {
      executor.execute(
          () -> {
            CONTEXT.set(context);
            try {
              task.run();
            } finally {
              CONTEXT.remove();
            }
          });
    };
  }
}
