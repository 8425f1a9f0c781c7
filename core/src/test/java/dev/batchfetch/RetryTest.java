package dev.batchfetch;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Retries: what is retried, after how long (in virtual time), and that a retry is a new admission;
 * what OkHttp itself sees of them (on a real server).
 */
@Timeout(30)
class RetryTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final Script script = new Script();
  private final Virtual virtual = new Virtual();

  private static final RetryPolicy FAST =
      RetryPolicy.defaults().withBackoff(Duration.ofMillis(20), 2.0, Duration.ofMillis(100));

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void retriesAfterTheDelayTheServerAsked(ExecutionPolicy policy) {
    // [START virtual-time]
    Virtual virtual = new Virtual();
    virtual.server.then("a.test/a", 429, "Retry-After", "1");
    BatchFetcher fetcher = virtual.builder().policy(policy).build();

    Result result = virtual.run(fetcher.fetchAll(List.of("http://a.test/a"))).get(0);

    assertThat(virtual.server.millisOf("a.test/a")).containsExactly(0L, 1_000L);
    // [END virtual-time]
    leaks.track(fetcher);
    assertThat(result.isSuccess()).as("%s", result).isTrue();
    assertThat(result.attempts()).isEqualTo(2);
    assertThat(result.admissionWait()).isEqualTo(Duration.ofSeconds(1));
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void retryAfterTakesPrecedenceOverTheBackoff(ExecutionPolicy policy) {
    virtual.server.then("a.test/a", 503, "Retry-After", "1");
    RetryPolicy slow =
        RetryPolicy.defaults().withBackoff(Duration.ofSeconds(20), 2.0, Duration.ofSeconds(20));

    Result result = virtualFetch(policy, slow, "http://a.test/a").get(0);

    assertThat(result.attempts()).isEqualTo(2);
    assertThat(virtual.server.millisOf("a.test/a")).containsExactly(0L, 1_000L);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void backsOffExponentiallyBetweenAttempts(ExecutionPolicy policy) {
    virtual
        .server
        .then("a.test/a", 502)
        .then("a.test/a", 504)
        .then("a.test/a", 503)
        .then("a.test/a", 500);

    Result result =
        virtualFetch(policy, FAST.withMaxAttempts(4).withJitter(0), "http://a.test/a").get(0);

    // 20 ms, then 40, then 80: the 503 spent the host's burst and held it for its backoff too.
    assertThat(virtual.server.millisOf("a.test/a")).containsExactly(0L, 20L, 60L, 140L);
    assertThat(result.status()).isEqualTo(500);
    assertThat(result.attempts()).isEqualTo(4);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void retriesTransientFailuresWithBackoffUntilAttemptsRunOut(ExecutionPolicy policy) {
    server.setDispatcher(
        script
            .then(
                "/cut", // cut mid-body: OkHttp itself retries a connection that fails earlier
                new MockResponse.Builder()
                    .body(new okio.Buffer().write(new byte[64 * 1024]))
                    .onResponseBody(new SocketEffect.CloseSocket())
                    .build())
            .then("/busy", Script.status(502))
            .then("/busy", Script.status(504))
            .then("/busy", Script.status(503))
            .then("/busy", Script.status(500)));

    List<Result> results = fetch(policy, FAST, "/cut", "/busy");

    assertThat(results.get(0).isSuccess()).as("%s", results.get(0)).isTrue();
    assertThat(results.get(0).attempts()).isEqualTo(2);
    assertThat(script.arrivalsOf("/cut")).hasSize(2);
    assertThat(results.get(1).status()).isEqualTo(503);
    assertThat(results.get(1).error()).isEqualTo(ErrorKind.HTTP_STATUS);
    assertThat(results.get(1).attempts()).isEqualTo(3);
    assertThat(script.arrivalsOf("/busy")).hasSize(3);
  }

  @Test
  void doesNotRetryWhatIsNotTransient() {
    server.setDispatcher(script.then("/404", Script.status(404)).then("/500", Script.status(500)));

    List<Result> results = fetch(ExecutionPolicy.async(4), FAST, "/404", "/500");

    assertThat(results).extracting(Result::attempts).containsExactly(1, 1);
    assertThat(script.arrivals()).hasSize(2);
  }

  @Test
  void retriesNonIdempotentMethodsOnlyWhenAskedTo() {
    server.setDispatcher(
        script.then("/post", Script.status(503)).then("/post", Script.status(503)));
    FetchRequest post =
        FetchRequest.of("POST", server.url("/post").toString()).withBody(new byte[1], "x/y");
    BatchFetcher once = leaks.track(BatchFetcher.builder().retry(FAST).build());
    BatchFetcher retrying =
        leaks.track(BatchFetcher.builder().retry(FAST.withRetryNonIdempotent(true)).build());

    Result first = once.fetchAllRequests(List.of(post)).join().get(0);
    Result second = retrying.fetchAllRequests(List.of(post)).join().get(0);

    assertThat(first.attempts()).isEqualTo(1);
    assertThat(first.status()).isEqualTo(503);
    assertThat(second.attempts()).isEqualTo(2);
    assertThat(second.isSuccess()).isTrue();
  }

  @Test
  void aRetryWaitsForARateLimitPermitLikeAnyCall() {
    virtual.server.then("a.test/a", 503);
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .rateLimit(RateLimit.perSecond(4)) // 250 ms apart; the backoff is 20 ms
                .retry(FAST)
                .build());

    Result result = virtual.run(fetcher.fetchAll(List.of("http://a.test/a"))).get(0);

    assertThat(result.attempts()).isEqualTo(2);
    assertThat(virtual.server.millisOf("a.test/a")).containsExactly(0L, 250L);
  }

  @Test
  void recordsTheTimeSpentWaitingForAdmission() {
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(ExecutionPolicy.async(8))
                .rateLimit(RateLimit.perSecond(10))
                .build());

    List<Result> results =
        virtual.run(
            fetcher.fetchAll(List.of("http://a.test/a", "http://a.test/b", "http://a.test/c")));

    assertThat(results)
        .extracting(Result::admissionWait)
        .containsExactly(Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(200));
  }

  private List<Result> virtualFetch(ExecutionPolicy policy, RetryPolicy retry, String... urls) {
    BatchFetcher fetcher = leaks.track(virtual.builder().policy(policy).retry(retry).build());
    return virtual.run(fetcher.fetchAll(List.of(urls)));
  }

  private List<Result> fetch(ExecutionPolicy policy, RetryPolicy retry, String... paths) {
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).retry(retry).build());
    return fetcher.fetchAll(java.util.Arrays.stream(paths).map(this::url).toList()).join();
  }

  private String url(String path) {
    return server.url(path).toString();
  }

  /** Milliseconds between arrival {@code i} and arrival {@code i + 1}. */
  static long gapMillis(List<Long> arrivals, int i) {
    assertThat(arrivals).hasSizeGreaterThan(i + 1);
    return NANOSECONDS.toMillis(arrivals.get(i + 1) - arrivals.get(i));
  }
}
