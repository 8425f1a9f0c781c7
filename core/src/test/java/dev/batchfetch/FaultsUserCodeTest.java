package dev.batchfetch;

import static dev.batchfetch.FaultChecks.causedBy;
import static dev.batchfetch.FaultChecks.ends;
import static dev.batchfetch.FaultChecks.oneResultPerIndex;
import static dev.batchfetch.FaultChecks.oneResultPerInput;
import static dev.batchfetch.FaultChecks.serverSawEveryAttempt;
import static dev.batchfetch.FaultChecks.staysUsable;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.ratelimiter.RateLimiter;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, user code that throws: the iterator of a streamed batch, its consumer, a progress
 * listener, a body handler, an interceptor of the user's client, the user's rate limiter. Each
 * throws a {@link RuntimeException} and an {@link Error}, under every policy: the batch ends (with
 * the cause, or with a result that says what happened), nothing reaches an uncaught handler, and
 * the fetcher stays usable.
 */
@Timeout(60)
class FaultsUserCodeTest {
  @RegisterExtension final Uncaught uncaught = new Uncaught();
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  private final FaultServer server = FaultServer.start();

  /** Whether the user code throws; off once the case is over, to show the fetcher still works. */
  private final AtomicBoolean armed = new AtomicBoolean(true);

  @AfterEach
  void stopServer() {
    server.close();
  }

  /** What the user code throws: a runtime exception, and an error. */
  enum Thrown {
    RUNTIME_EXCEPTION,
    ERROR;

    Throwable make() {
      return this == ERROR
          ? new AssertionError("thrown by user code")
          : new IllegalStateException("thrown by user code");
    }
  }

  static Stream<Arguments> policiesAndThrown() {
    return FaultChecks.policiesWith((Object[]) Thrown.values());
  }

  private static void sneakyThrow(Throwable t) {
    FaultsUserCodeTest.<RuntimeException>sneaky(t);
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void sneaky(Throwable t) throws T {
    throw (T) t;
  }

  @ParameterizedTest
  @MethodSource("policiesAndThrown")
  void anIteratorThatThrowsAfter50InputsEndsTheBatchWithItsCause(
      ExecutionPolicy policy, Thrown kind) {
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    Throwable thrown = kind.make();
    List<String> urls = server.urls("/ok", 50);
    Iterable<String> input =
        () ->
            new Iterator<>() {
              private int next;

              @Override
              public boolean hasNext() {
                return true;
              }

              @Override
              public String next() {
                if (next == urls.size()) {
                  sneakyThrow(thrown);
                }
                return urls.get(next++);
              }
            };
    Queue<Result> results = new ConcurrentLinkedQueue<>();

    Throwable ended = ends(fetcher.fetchEach(input, results::add));

    assertThat(causedBy(ended, thrown)).as("the batch ended with %s", ended).isTrue();
    oneResultPerIndex(results, 50);
    serverSawEveryAttempt(server, results);
    staysUsable(fetcher, server);
  }

  @ParameterizedTest
  @MethodSource("policiesAndThrown")
  void anIterableWhoseIteratorCannotBeMadeEndsTheBatchWithItsCause(
      ExecutionPolicy policy, Thrown kind) {
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    Throwable thrown = kind.make();
    Iterable<String> input =
        () -> {
          sneakyThrow(thrown);
          return List.<String>of().iterator();
        };

    Throwable ended;
    try {
      ended = ends(fetcher.fetchEach(input, result -> {}));
    } catch (RuntimeException | Error e) {
      ended = e; // thrown at once to the caller: as good
    }

    assertThat(causedBy(ended, thrown)).as("the batch ended with %s", ended).isTrue();
    staysUsable(fetcher, server);
  }

  @ParameterizedTest
  @MethodSource("policiesAndThrown")
  void aConsumerThatThrowsEndsTheBatchWithItsCause(ExecutionPolicy policy, Thrown kind) {
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    Throwable thrown = kind.make();
    AtomicInteger delivered = new AtomicInteger();
    Queue<Result> results = new ConcurrentLinkedQueue<>();

    Throwable ended =
        ends(
            fetcher.fetchEach(
                server.urls("/ok", 200),
                result -> {
                  results.add(result);
                  if (delivered.incrementAndGet() == 3) {
                    sneakyThrow(thrown);
                  }
                }));

    assertThat(causedBy(ended, thrown)).as("the batch ended with %s", ended).isTrue();
    assertThat(delivered).as("results delivered after the consumer threw").hasValue(3);
    assertThat(results).hasSize(3);
    staysUsable(fetcher, server);
  }

  /**
   * A progress listener's exception is logged and ignored (a listener is diagnostics, not worth a
   * batch); an {@link Error} is not swallowed: the batch fails with it.
   */
  @ParameterizedTest
  @MethodSource("policiesAndThrown")
  void aProgressListenerThatThrowsAnErrorFailsTheBatchAndAnExceptionDoesNot(
      ExecutionPolicy policy, Thrown kind) {
    Throwable thrown = kind.make();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .progressInterval(Duration.ofMillis(1))
                .progressListener(
                    progress -> {
                      if (armed.get()) {
                        sneakyThrow(thrown);
                      }
                    })
                .build());
    List<String> urls = server.urls("/ok", 20);

    Throwable ended = ends(fetcher.fetchAll(urls));

    if (kind == Thrown.ERROR) {
      assertThat(ended).as("the batch ended with").isSameAs(thrown);
    } else {
      assertThat(ended).as("the batch ended with").isNull();
    }
    armed.set(false);
    staysUsable(fetcher, server);
  }

  @ParameterizedTest
  @MethodSource("policiesAndThrown")
  void aBodyHandlerThatThrowsFailsItsInputOnly(ExecutionPolicy policy, Thrown kind) {
    Throwable thrown = kind.make();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .bodyHandling(
                    BodyHandling.stream(
                        (head, body) -> {
                          body.readAllBytes();
                          if (armed.get() && head.url().contains("/boom/")) {
                            sneakyThrow(thrown);
                          }
                        }))
                .build());
    List<String> urls = List.of(server.url("/ok/0"), server.url("/boom/1"), server.url("/ok/2"));

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(urls);

    List<Result> results = checkEnded(batch, urls, thrown);
    if (results != null) {
      assertThat(results.get(1).error()).as("%s", results.get(1)).isEqualTo(ErrorKind.UNEXPECTED);
      serverSawEveryAttempt(server, results);
    }
    armed.set(false);
    staysUsable(fetcher, server);
  }

  @ParameterizedTest
  @MethodSource("policiesAndThrown")
  void anInterceptorOfTheUsersClientThatThrowsFailsItsInputOnly(
      ExecutionPolicy policy, Thrown kind) {
    Throwable thrown = kind.make();
    OkHttpClient client =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  if (armed.get() && chain.request().url().encodedPath().startsWith("/boom/")) {
                    sneakyThrow(thrown);
                  }
                  return chain.proceed(chain.request());
                })
            .build();
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).client(client).build());
    List<String> urls = List.of(server.url("/ok/0"), server.url("/boom/1"), server.url("/ok/2"));

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(urls);

    List<Result> results = checkEnded(batch, urls, thrown);
    if (results != null) {
      assertThat(results.get(1).error()).as("%s", results.get(1)).isEqualTo(ErrorKind.UNEXPECTED);
      assertThat(server.requests("/boom")).as("requests the interceptor stopped").isZero();
    }
    armed.set(false);
    staysUsable(fetcher, server);
  }

  @ParameterizedTest
  @MethodSource("policiesAndThrown")
  void aUsersRateLimiterThatThrowsFailsTheInputsWithoutSendingThem(
      ExecutionPolicy policy, Thrown kind) {
    RateLimiter limiter =
        new ForwardingRateLimiter(RateLimiter.ofDefaults("users")) {
          @Override
          public long reservePermission() {
            if (armed.get()) {
              sneakyThrow(kind.make());
            }
            return 0;
          }
        };
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).rateLimiter(limiter).build());
    List<String> urls = server.urls("/ok", 5);

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(urls);

    List<Result> results = checkEnded(batch, urls, null);
    if (results != null) {
      assertThat(results).extracting(Result::error).containsOnly(ErrorKind.QUOTA_UNAVAILABLE);
      assertThat(server.requests()).as("requests sent without a permit").isZero();
    }
    armed.set(false);
    staysUsable(fetcher, server);
  }

  /** A function that makes a host's limiter and throws: the host's inputs end unsent. */
  @ParameterizedTest
  @MethodSource("policiesAndThrown")
  void aHostLimiterFunctionThatThrowsFailsTheHostsInputsWithoutSendingThem(
      ExecutionPolicy policy, Thrown kind) {
    Throwable thrown = kind.make();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .hostRateLimiters(
                    host -> {
                      if (armed.get()) {
                        sneakyThrow(thrown);
                      }
                      return null;
                    })
                .build());
    List<String> urls = server.urls("/ok", 5);

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(urls);

    List<Result> results = checkEnded(batch, urls, thrown);
    if (results != null) {
      assertThat(results).extracting(Result::error).containsOnly(ErrorKind.QUOTA_UNAVAILABLE);
      assertThat(results).allMatch(r -> causedBy(r.exception(), thrown), "caused by the throwable");
      assertThat(server.requests()).as("requests sent without a permit").isZero();
    }
    armed.set(false);
    try (FaultServer other = FaultServer.start()) { // the host is forgotten only once idle a while
      staysUsable(fetcher, other);
    }
  }

  /**
   * Checks that {@code batch} ended: normally with one result per input (returned), or failed by
   * the user's throwable ({@code thrown}, or any of the kind thrown when null; then null).
   */
  private @Nullable List<Result> checkEnded(
      CompletableFuture<List<Result>> batch, List<String> urls, @Nullable Throwable thrown) {
    Throwable ended = ends(batch);
    if (ended == null) {
      List<Result> results = batch.join();
      oneResultPerInput(results, urls);
      return results;
    }
    if (thrown != null) {
      assertThat(causedBy(ended, thrown)).as("the batch ended with %s", ended).isTrue();
    } else {
      assertThat(ended).hasMessageContaining("thrown by user code");
    }
    return null;
  }
}
