package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.internal.events.LogListener;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.event.Level;

/**
 * The fetcher's log, as a person reads it: a batch with faults, written by the same {@link
 * LogListener} every fetcher has, here given a logger that keeps its lines.
 */
@Timeout(30)
class LogLinesTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  private final Virtual virtual = new Virtual();
  private final CapturingLogger log = new CapturingLogger(Level.DEBUG);

  private BatchFetcher.Builder builder(ExecutionPolicy policy) {
    return virtual
        .builder()
        .policy(policy)
        .retry(
            RetryPolicy.defaults()
                .withBackoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1))
                .withJitter(0))
        .eventListener(new LogListener(virtual.clock, log));
  }

  /** The lines, without the fetcher's name that starts each. */
  private List<String> lines(Level level) {
    return log.atLeast(level).stream()
        .map(line -> line.replaceFirst(" batchfetch-\\d+: ", " "))
        .toList();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aBatchWithFaultsSaysWhatFailedWhyAndWhatWasDone(ExecutionPolicy policy) {
    virtual.server.then("a.test/x", 429, "Retry-After", "2");
    virtual.server.then("b.test/x", 503);
    virtual.server.then("c.test/x", 500);
    virtual.server.refuse("d.test/x").refuse("d.test/x").refuse("d.test/x");
    // Discovery off: a 429 is a failed attempt, and no rate is learned (see the test below).
    BatchFetcher fetcher = leaks.track(builder(policy).quotaDiscovery(false).build());

    virtual.run(
        fetcher.fetchAll(
            List.of(
                "http://a.test/x",
                "http://b.test/x",
                "http://c.test/x",
                "http://d.test/x",
                "not a url",
                "http://e.test/ok")));

    // At INFO and above: the one pause of a second or more. Nothing per call.
    assertThat(lines(Level.INFO)).containsExactly("INFO paused a.test:80 for 2 s: Retry-After");
    assertThat(lines(Level.DEBUG))
        .contains(
            "DEBUG attempt 1 of http://a.test/x failed after 0 ms: 429",
            "DEBUG retrying http://a.test/x in 2 s (attempt 2): 429, Retry-After",
            "DEBUG attempt 1 of http://b.test/x failed after 0 ms: 503",
            "DEBUG retrying http://b.test/x in 100 ms (attempt 2): 503, backoff",
            "DEBUG paused b.test:80 for 100 ms: too many requests, backoff",
            "DEBUG attempt 1 of http://c.test/x failed after 0 ms: 500",
            "DEBUG attempt 3 of http://d.test/x failed after 0 ms: CONNECT (Connection refused)",
            "DEBUG batch 1 started, 6 inputs")
        .anyMatch(line -> line.startsWith("DEBUG input 4 (not a url) ended unsent: INVALID_URL ("))
        .anyMatch(
            line ->
                line.matches(
                    "DEBUG batch 1 ended: 3 of 6 succeeded, failed \\{.*\\}, \\d+ B, in 2 s"));
    // A success is never a line of its own, at any level.
    assertThat(log.lines()).noneMatch(line -> line.contains("e.test"));
    assertThat(lines(Level.DEBUG)).hasSize(15);
  }

  @Test
  void aRateChangeIsInfo() {
    virtual.server.then("a.test/0", 200, "RateLimit-Policy", "5;w=1");
    BatchFetcher fetcher =
        leaks.track(
            builder(ExecutionPolicy.async(1))
                .perHost(HostLimits.of(RateLimit.perSecond(10)))
                .adaptToServerQuota(true)
                .quotaDiscovery(false) // with it, discovery follows the headers: a learned rate
                .build());

    virtual.run(fetcher.fetchAll(List.of("http://a.test/0", "http://a.test/1")));

    assertThat(lines(Level.INFO))
        .containsExactly(
            "INFO rate of a.test:80 changed from 10/s to 5/s: the server's quota headers");
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aLearnedRateIsInfo(ExecutionPolicy policy) {
    virtual.server.then("a.test/x", 429, "Retry-After", "2");
    BatchFetcher fetcher = leaks.track(builder(policy).build());

    virtual.run(fetcher.fetchAll(List.of("http://a.test/x", "http://a.test/y")));

    assertThat(lines(Level.INFO))
        .contains("INFO paused a.test:80 for 2 s: Retry-After")
        .anyMatch(
            line -> line.matches("INFO rate of a\\.test:80 changed from unknown to .+: learned"))
        .allMatch(line -> line.contains("a.test:80"));
  }

  @Test
  void aWaitPastTheCapSaysTheHostIsBlocked() {
    virtual.server.then("a.test/0", 429, "Retry-After", "600");
    BatchFetcher fetcher =
        leaks.track(builder(ExecutionPolicy.async(1)).quotaDiscovery(false).build());

    virtual.run(fetcher.fetchAll(List.of("http://a.test/0")));

    assertThat(lines(Level.INFO))
        .containsExactly(
            "INFO blocked a.test:80 for 10 min: Retry-After past maxRetryAfter; its inputs end"
                + " RATE_LIMITED meanwhile");
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aRateLimiterOfTheUsersThatThrowsIsAWarningHeldToOneLineInTenSeconds(ExecutionPolicy policy) {
    RateLimiter broken =
        new ForwardingRateLimiter(RateLimiter.ofDefaults("users")) {
          @Override
          public long reservePermission() {
            throw new IllegalStateException("Redis is down");
          }
        };
    BatchFetcher fetcher = leaks.track(builder(policy).rateLimiter(broken).build());

    List<Result> results =
        virtual.run(fetcher.fetchAll(List.of("http://a.test/0", "http://a.test/1")));

    assertThat(results).allMatch(r -> r.error() == ErrorKind.QUOTA_UNAVAILABLE);
    assertThat(lines(Level.WARN))
        .containsExactly(
            "WARN http://a.test/0 ended QUOTA_UNAVAILABLE: no permit: the rate limiter threw");
    assertThat(log.thrown()).extracting(Throwable::getMessage).containsExactly("Redis is down");
  }
}
