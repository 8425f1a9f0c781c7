package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.testing.QuotaModel.Nginx;
import dev.batchfetch.testing.QuotaModel.TokenBucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quota discovery in the engine, in virtual time: a real fetcher against a {@link FakeServer} that
 * enforces a quota model, or answers from a script. The acceptance runs measure 60 s of virtual
 * time each, as issue 11 asks; the rules are checked call by call.
 */
@Timeout(120)
class QuotaDiscoveryTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  private final Virtual virtual = new Virtual();

  /** The policies of the acceptance runs: the async(256), a pool, one at a time. */
  static Stream<ExecutionPolicy> wide() {
    return Stream.of(
        ExecutionPolicy.async(256), ExecutionPolicy.pool(16), ExecutionPolicy.sequential());
  }

  @ParameterizedTest
  @MethodSource("wide")
  void settlesAtATokenBucketsRateWithFewRefusalsAndNoFailure(ExecutionPolicy policy) {
    QuotaRun run = QuotaRun.of(new TokenBucket(10, 20, false, false), policy, 60, builder());
    System.out.println(run.row());

    assertThat(run.throughput()).as(run.row()).isGreaterThanOrEqualTo(0.95);
    assertThat(run.throttledAfter5s()).as(run.row()).isLessThanOrEqualTo(0.01);
    assertThat(run.failed()).as(run.row()).isZero();
    if (policy.width() > 5) { // wide enough to reach the quota: paced, within 15% at 5 s
      assertThat(run.rateAt5sWithin(10, 0.15)).as(run.row()).isTrue();
    } else {
      assertThat(run.rateAt5s()).as("never refused: never paced").isInfinite();
    }
  }

  @ParameterizedTest
  @MethodSource("wide")
  void withQuotaHeadersIsNeverRefusedAfterTheFirstAnswer(ExecutionPolicy policy) {
    QuotaRun run = QuotaRun.of(new TokenBucket(10, 20, true, true), policy, 60, builder());
    System.out.println(run.row());

    assertThat(run.throttledAfterHeaders()).as(run.row()).isZero();
    assertThat(run.throttled()).as(run.row()).isZero();
    assertThat(run.throughput()).as(run.row()).isGreaterThanOrEqualTo(0.99);
    assertThat(run.rateAt5s()).as(run.row()).isEqualTo(10.0);
  }

  @Test
  void settlesAtNginxsRateWithABurst() {
    QuotaRun run = QuotaRun.of(new Nginx(10, 5, false), ExecutionPolicy.async(256), 60, builder());
    System.out.println(run.row());

    assertThat(run.throughput()).as(run.row()).isGreaterThanOrEqualTo(0.95);
    assertThat(run.throttledAfter5s()).as(run.row()).isLessThanOrEqualTo(0.01);
    assertThat(run.failed()).as(run.row()).isZero();
  }

  @Test
  void withDiscoveryOffAFetcherFloodsTheServer() {
    // The same server and policy: discovery is what keeps the refusals down, so the test above
    // can fail.
    QuotaRun run =
        QuotaRun.of(
            new TokenBucket(10, 20, false, false),
            ExecutionPolicy.async(256),
            20,
            builder().quotaDiscovery(false));

    assertThat(run.throttled()).as(run.row()).isGreaterThan(0.5);
    assertThat(run.failed()).as(run.row()).isPositive();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void a429IsASignalThatDoesNotUseUpTheInputsAttempts(ExecutionPolicy policy) {
    for (int i = 0; i < 5; i++) {
      virtual.server.then("a.test/a", 429);
    }
    BatchFetcher fetcher = leaks.track(virtual.builder().policy(policy).build());

    Result result = virtual.run(fetcher.fetchAll(List.of("http://a.test/a"))).get(0);

    assertThat(result.isSuccess()).as("%s", result).isTrue();
    assertThat(result.attempts()).as("5 refusals and a success, of 3 attempts").isEqualTo(6);
    // No backoff of its own: the pace discovery set spaces the retries, one call per learned
    // interval. Nothing accepted yet: a call a second (the limiter, idle, lets the first go at
    // once, and its refusal falls in the same window), then halved at each window refused again.
    assertThat(virtual.server.millisOf("a.test/a"))
        .containsExactly(0L, 0L, 1_030L, 3_092L, 7_216L, 15_463L);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void withDiscoveryOffA429UsesUpAnAttempt(ExecutionPolicy policy) {
    for (int i = 0; i < 5; i++) {
      virtual.server.then("a.test/a", 429);
    }
    BatchFetcher fetcher =
        leaks.track(virtual.builder().policy(policy).quotaDiscovery(false).build());

    Result result = virtual.run(fetcher.fetchAll(List.of("http://a.test/a"))).get(0);

    assertThat(result.status()).isEqualTo(429);
    assertThat(result.error()).isEqualTo(ErrorKind.HTTP_STATUS);
    assertThat(result.attempts()).isEqualTo(3);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void anInputRefusedPastItsBudgetEndsAsRateLimited(ExecutionPolicy policy) {
    for (int i = 0; i < 1_000; i++) {
      virtual.server.then("a.test/a", 429);
    }
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .retry(RetryPolicy.defaults().withRateLimitBudget(Duration.ofSeconds(30)))
                .build());

    List<Result> results =
        virtual.run(fetcher.fetchAll(List.of("http://a.test/a", "http://b.test/b")));

    Result limited = results.get(0);
    assertThat(limited.error()).as("%s", limited).isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.attempts()).isGreaterThan(3);
    // It ends once the host's pace (halved once per window of refusals) puts its next start past
    // the budget: before the budget runs out, rather than waiting for a start that comes too late.
    assertThat(limited.elapsed()).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(30));
    assertThat(results.get(1).isSuccess()).as("another host goes on").isTrue();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aZeroBudgetEndsAnInputAtItsFirstRefusal(ExecutionPolicy policy) {
    virtual.server.then("a.test/a", 429);
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .retry(RetryPolicy.defaults().withRateLimitBudget(Duration.ZERO))
                .build());

    Result result = virtual.run(fetcher.fetchAll(List.of("http://a.test/a"))).get(0);

    assertThat(result.error()).isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(result.attempts()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aConfiguredRateIsACeilingThatDiscoveryNeverExceeds(ExecutionPolicy policy) {
    virtual
        .server
        .latency(Duration.ofMillis(10))
        .enforce("a.test", new TokenBucket(100, 1, false, false));
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .perHost(HostLimits.of(RateLimit.perSecond(5)))
                .build());

    virtual.run(fetcher.fetchAll(urls("a.test", 20)));

    List<Long> sent = virtual.server.millisOf("a.test");
    assertThat(sent).hasSize(20);
    for (int i = 1; i < sent.size(); i++) {
      assertThat(sent.get(i) - sent.get(i - 1))
          .as("at most 5 a second")
          .isGreaterThanOrEqualTo(200L);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void goesBelowTheCeilingWhenTheServerSaysSo(ExecutionPolicy policy) {
    virtual.server.latency(Duration.ofMillis(10));
    for (int i = 0; i < 10; i++) {
      virtual.server.then("a.test/" + i, 200, "RateLimit-Policy", "2;w=1");
    }
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .perHost(HostLimits.of(RateLimit.perSecond(5)))
                .build());

    virtual.run(fetcher.fetchAll(urls("a.test", 10)));

    // Once the first answer said 2 a second, 500 ms apart, not the ceiling's 200.
    List<Long> sent = virtual.server.millisOf("a.test");
    for (int i = 3; i < sent.size(); i++) {
      assertThat(sent.get(i) - sent.get(i - 1)).isGreaterThanOrEqualTo(500L);
    }
    assertThat(fetcher.learnedRates()).containsEntry("a.test:80", 2.0);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void severalLimitsForAllCallsEachKeptOnItsOwn(ExecutionPolicy policy) {
    // 4 a second, and 6 in any 10 s (a burst of 5 on top of one every 10/6 s).
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .rateLimit(
                    RateLimit.perSecond(4), RateLimit.of(6, Duration.ofSeconds(10)).withBurst(5))
                .build());

    virtual.run(fetcher.fetchAll(urls("a.test", 8)));

    // Six at the per-second pace, then the ten-second window's: 1,667 ms after the steady
    // schedule, less the half interval the burst keeps back.
    assertThat(virtual.server.millisOf("a.test"))
        .containsExactly(0L, 250L, 500L, 750L, 1_000L, 1_250L, 2_500L, 4_166L);
    assertThat(fetcher.rateLimits()).hasSize(2);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void severalLimitsForAHost(ExecutionPolicy policy) {
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .host(
                    "a.test",
                    HostLimits.of(RateLimit.perSecond(4))
                        .and(RateLimit.of(6, Duration.ofSeconds(10)).withBurst(5)))
                .build());

    virtual.run(fetcher.fetchAll(urls("a.test", 8)));

    assertThat(virtual.server.millisOf("a.test"))
        .containsExactly(0L, 250L, 500L, 750L, 1_000L, 1_250L, 2_500L, 4_166L);
  }

  @Test
  void aSlowStartOpensTheWindowWithEachAcceptedAnswer() {
    virtual.server.latency(Duration.ofMillis(100));
    BatchFetcher fetcher = leaks.track(virtual.builder().policy(ExecutionPolicy.async(64)).build());

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(urls("a.test", 400));
    virtual.advanceMillis(99);
    assertThat(virtual.server.sent()).as("before the first answer").hasSize(8);
    virtual.advanceMillis(100);
    assertThat(virtual.server.sent()).as("each answer lets two go").hasSize(8 + 16);
    virtual.run(batch);

    assertThat(virtual.server.maxInFlight()).as("the policy's width, in the end").isEqualTo(64);
  }

  @Test
  void theLearnedRateShowsInProgressAndTheSummaryAndBoundsTheEstimate() {
    virtual
        .server
        .latency(Duration.ofMillis(10))
        .enforce("a.test", new TokenBucket(5, 10, true, true));
    List<Progress> reports = new ArrayList<>();
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(ExecutionPolicy.async(16))
                .progressListener(reports::add)
                .build());

    BatchSummary summary = virtual.run(fetcher.fetchEach(urls("a.test", 100), r -> {}));

    assertThat(summary.learnedRates()).containsOnlyKeys("a.test:80");
    assertThat(summary.learnedRates().get("a.test:80")).isBetween(4.85, 5.0);
    assertThat(summary.failed()).isZero();
    Progress midway = reports.get(4); // at 5 s
    assertThat(midway.learnedRates().get("a.test:80")).isBetween(4.85, 5.0);
    // 100 inputs at 5 a second: about 20 s in all, whatever the first calls' burst suggested.
    assertThat(midway.estimatedTimeLeft())
        .isBetween(Duration.ofSeconds(13), Duration.ofSeconds(17));
  }

  @Test
  void aHostMetAgainStartsAtTheRateItLearned() {
    virtual
        .server
        .latency(Duration.ofMillis(10))
        .enforce("a.test", new TokenBucket(5, 10, true, true));
    BatchFetcher fetcher = leaks.track(virtual.builder().policy(ExecutionPolicy.async(16)).build());
    virtual.run(fetcher.fetchAll(urls("a.test", 10)));
    // An hour later a.test is idle: meeting another host forgets it (a sweep), its rate is kept.
    virtual.run(fetcher.fetchAll(urls("b.test", 1)));
    int before = virtual.server.millisOf("a.test").size();

    virtual.run(fetcher.fetchAll(urls("a.test", 5)));

    List<Long> again = virtual.server.millisOf("a.test");
    List<Long> second = again.subList(before, again.size());
    for (int i = 1; i < second.size(); i++) {
      assertThat(second.get(i) - second.get(i - 1)).as("paced from its first call").isEqualTo(200L);
    }
  }

  private static BatchFetcher.Builder builder() {
    return BatchFetcher.builder();
  }

  private static List<String> urls(String host, int count) {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      urls.add("http://" + host + "/" + i);
    }
    return urls;
  }
}
