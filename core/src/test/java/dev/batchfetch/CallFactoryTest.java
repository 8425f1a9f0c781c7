package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Calls made through the user's call factory (what tracing instrumentations hand back), in the
 * context the caller had when the batch was submitted.
 */
@Timeout(30)
class CallFactoryTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();

  /** A context as tracing libraries keep it: a thread local, carried by the executor it wraps. */
  private static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();

  private final List<String> seen = Collections.synchronizedList(new java.util.ArrayList<>());

  /** Notes the context current when each call is made, then makes it with the fetcher's client. */
  private Call.Factory recording(OkHttpClient client) {
    return request -> {
      seen.add(CONTEXT.get() + " " + request.url().encodedPath());
      return client.newCall(request);
    };
  }

  /** What {@code Context.current().wrap(executor)} does, for the thread local above. */
  private static Executor wrapCurrent(Executor executor) {
    String captured = CONTEXT.get();
    return task -> {
      String before = CONTEXT.get();
      CONTEXT.set(captured);
      try {
        executor.execute(task);
      } finally {
        CONTEXT.set(before);
      }
    };
  }

  private List<Result> fetchInContext(
      ExecutionPolicy policy, UnaryOperator<Executor> capture, List<String> urls) {
    server.setDispatcher(new IdDispatcher());
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .callFactory(this::recording)
                .callContext(capture)
                .build());
    CONTEXT.set("trace-1");
    try {
      return fetcher.fetchAll(urls).join();
    } finally {
      CONTEXT.remove();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void everyCallIsMadeByTheUsersFactoryInTheCallersContext(ExecutionPolicy policy) {
    List<Result> results =
        fetchInContext(policy, CallFactoryTest::wrapCurrent, Urls.ids(server, 3));

    assertThat(results).allMatch(Result::isSuccess);
    assertThat(seen).containsExactlyInAnyOrder("trace-1 /id/0", "trace-1 /id/1", "trace-1 /id/2");
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aCaptureThatThrowsLeavesTheBatchWithoutTheContext(ExecutionPolicy policy) {
    List<Result> results =
        fetchInContext(
            policy,
            executor -> {
              throw new IllegalStateException("no tracer");
            },
            Urls.ids(server, 2));

    assertThat(results).allMatch(Result::isSuccess);
    assertThat(seen).containsExactlyInAnyOrder("null /id/0", "null /id/1");
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void anExecutorThatDoesNotRunTheCallAtOnceEndsItsAttemptUnexpected(ExecutionPolicy policy) {
    List<Result> results =
        fetchInContext(policy, executor -> task -> {}, Urls.ids(server, 2)); // never runs it

    assertThat(results)
        .allSatisfy(
            r -> {
              assertThat(r.error()).isEqualTo(ErrorKind.UNEXPECTED);
              assertThat(r.exception()).hasMessageContaining("did not run the task at once");
            });
  }
}
