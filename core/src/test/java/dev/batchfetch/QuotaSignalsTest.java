package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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

/** What the fetcher does with the quota headers servers send: when, in virtual time. */
@Timeout(30)
class QuotaSignalsTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final Script script = new Script();
  private final Virtual virtual = new Virtual();

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void honoursRetryAfterGivenAsAnHttpDate(ExecutionPolicy policy) {
    // IMF-fixdate, two-digit day: Java's RFC_1123_DATE_TIME writes "Tue, 1 Dec 2026", which the
    // fetcher reads as no date at all, as RFC 9110 has it.
    String inTwoSeconds =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US)
            .format(virtual.clock.instant().plusSeconds(2).atOffset(ZoneOffset.UTC));
    virtual.server.then("a.test/a", 503, "Retry-After", inTwoSeconds);
    BatchFetcher fetcher = leaks.track(virtual.builder().policy(policy).build());

    Result result = virtual.run(fetcher.fetchAll(List.of("http://a.test/a"))).get(0);

    assertThat(result.isSuccess()).isTrue();
    assertThat(result.attempts()).isEqualTo(2);
    assertThat(virtual.server.millisOf("a.test/a")).containsExactly(0L, 2_000L);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void holdsAHostWhoseQuotaIsUsedUpUntilItResets(ExecutionPolicy policy) {
    long resetEpoch = virtual.clock.instant().getEpochSecond() + 2;
    virtual.server.then(
        "a.test/first",
        200,
        "X-RateLimit-Limit",
        "60",
        "X-RateLimit-Remaining",
        "0",
        "X-RateLimit-Reset",
        Long.toString(resetEpoch));
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .perHost(HostLimits.of(RateLimit.unlimited(), 1))
                .build());

    List<Result> results =
        virtual.run(fetcher.fetchAll(List.of("http://a.test/first", "http://a.test/second")));

    assertThat(results).allMatch(Result::isSuccess);
    assertThat(virtual.server.millisOf("a.test")).containsExactly(0L, 2_000L);
    assertThat(results.get(1).admissionWait()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void slowsToTheQuotaTheServerAnnouncesWhenAskedTo() {
    virtual.server.then("a.test/0", 200, "RateLimit-Policy", "5;w=1");
    BatchFetcher fetcher =
        leaks.track(
            virtual.builder().policy(ExecutionPolicy.async(1)).adaptToServerQuota(true).build());

    virtual.run(
        fetcher.fetchAll(
            List.of("http://a.test/0", "http://a.test/1", "http://a.test/2", "http://a.test/3")));

    // The first answer announced 5 a second: from then on, 200 ms apart.
    assertThat(virtual.server.millisOf("a.test")).containsExactly(0L, 0L, 200L, 400L);
  }

  @Test
  void keepsItsOwnRateWhenNotAskedToAdapt() {
    virtual.server.then("a.test/0", 200, "RateLimit-Policy", "5;w=1");
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(ExecutionPolicy.async(1))
                .quotaDiscovery(false) // which would follow the headers itself
                .build());

    virtual.run(fetcher.fetchAll(List.of("http://a.test/0", "http://a.test/1", "http://a.test/2")));

    assertThat(virtual.server.millisOf("a.test")).containsExactly(0L, 0L, 0L);
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

  private String url(String path) {
    return server.url(path).toString();
  }
}
