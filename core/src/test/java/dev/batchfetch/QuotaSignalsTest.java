package dev.batchfetch;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the fetcher does with the quota headers servers send. */
@Timeout(30)
class QuotaSignalsTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final Script script = new Script();

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void honoursRetryAfterGivenAsAnHttpDate(ExecutionPolicy policy) {
    String inTwoSeconds =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            Instant.now().plusSeconds(2).atOffset(ZoneOffset.UTC));
    server.setDispatcher(script.then("/a", Script.status(503, "Retry-After", inTwoSeconds)));

    Result result = fetcher(policy).fetchAll(List.of(url("/a"))).join().get(0);

    assertThat(result.isSuccess()).isTrue();
    assertThat(result.attempts()).isEqualTo(2);
    // The date has whole seconds: "in two seconds" is between one and two seconds away.
    assertThat(RetryTest.gapMillis(script.arrivalsOf("/a"), 0)).isBetween(900L, 5_000L);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void holdsAHostWhoseQuotaIsUsedUpUntilItResets(ExecutionPolicy policy) {
    long resetEpoch = Instant.now().getEpochSecond() + 2;
    server.setDispatcher(
        script.then(
            "/first",
            Script.status(
                200,
                "X-RateLimit-Limit",
                "60",
                "X-RateLimit-Remaining",
                "0",
                "X-RateLimit-Reset",
                Long.toString(resetEpoch))));
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .perHost(HostLimits.of(RateLimit.unlimited(), 1))
                .build());

    List<Result> results = fetcher.fetchAll(List.of(url("/first"), url("/second"))).join();

    assertThat(results).allMatch(Result::isSuccess);
    assertThat(
            RetryTest.gapMillis(script.arrivals().stream().map(Script.Arrival::nanos).toList(), 0))
        .isGreaterThanOrEqualTo(900L);
    assertThat(results.get(1).admissionWait()).isGreaterThanOrEqualTo(Duration.ofMillis(900));
  }

  @Test
  void slowsToTheQuotaTheServerAnnouncesWhenAskedTo() {
    server.setDispatcher(script.then("/0", Script.status(200, "RateLimit-Policy", "5;w=1")));
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(ExecutionPolicy.async(1))
                .adaptToServerQuota(true)
                .build());

    fetcher.fetchAll(List.of(url("/0"), url("/1"), url("/2"), url("/3"))).join();

    List<Long> arrivals = script.arrivals().stream().map(Script.Arrival::nanos).toList();
    for (int i = 2; i < arrivals.size(); i++) { // from the second call on: 5 a second
      assertThat(NANOSECONDS.toMillis(arrivals.get(i) - arrivals.get(i - 1)))
          .isGreaterThanOrEqualTo(150);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void survivesGarbageInQuotaHeaders(ExecutionPolicy policy) {
    server.setDispatcher(
        script
            .then("/a", Script.status(503, "Retry-After", "soon, maybe"))
            .then(
                "/b",
                Script.status(
                    200,
                    "X-RateLimit-Remaining",
                    "-3",
                    "X-RateLimit-Reset",
                    "99999999999999999999999",
                    "RateLimit",
                    "limit=;;remaining=\"x\"",
                    "RateLimit-Policy",
                    "\"unterminated")));
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .retry(
                    RetryPolicy.defaults()
                        .withBackoff(Duration.ofMillis(10), 2, Duration.ofMillis(50)))
                .build());

    List<Result> results = fetcher.fetchAll(List.of(url("/a"), url("/b"), url("/c"))).join();

    assertThat(results).allMatch(Result::isSuccess);
    assertThat(results.get(0).attempts()).isEqualTo(2); // retried with the backoff instead
  }

  private BatchFetcher fetcher(ExecutionPolicy policy) {
    return leaks.track(BatchFetcher.builder().policy(policy).build());
  }

  private String url(String path) {
    return server.url(path).toString();
  }
}
