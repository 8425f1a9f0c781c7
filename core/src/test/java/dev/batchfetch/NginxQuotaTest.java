package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 3's acceptance test: against a real nginx enforcing {@code limit_req rate=50r/s burst=10},
 * a fetcher configured at that quota gets no 429 and takes no more than 5% longer than the quota
 * allows; configured at double the quota, it does get 429s, so the test can fail.
 *
 * <p>Real time, and a real server: each run prints its numbers.
 */
@Timeout(30)
class NginxQuotaTest {
  private static final int QUOTA = 50; // requests per second
  private static final int BURST = 10;
  private static final int BATCH = 250;
  private static final Duration INTERVAL = Duration.ofSeconds(1).dividedBy(QUOTA);

  /** nginx accepts burst + 1 requests at once, then one per interval: 4.78 s for 250. */
  private static final Duration IDEAL = INTERVAL.multipliedBy(BATCH - (BURST + 1));

  /**
   * 5% over the ideal, with no allowance for start-up: a cold JVM's first batch measured up to 3%
   * over, a warm one 0.5%.
   */
  private static final Duration BOUND = Duration.ofNanos(IDEAL.toNanos() * 105 / 100);

  @RegisterExtension final NoLeaks leaks = new NoLeaks();

  static Stream<ExecutionPolicy> policies() {
    return Stream.of(Policies.sequential(), Policies.pool(8), ExecutionPolicy.async(16));
  }

  @ParameterizedTest
  @MethodSource("policies")
  void fetchesAtTheQuotaWithoutA429(ExecutionPolicy policy) throws IOException {
    try (Nginx nginx = Nginx.start(QUOTA, BURST)) {
      BatchFetcher fetcher =
          leaks.track(
              BatchFetcher.builder()
                  .policy(policy)
                  .rateLimit(RateLimit.perSecond(QUOTA).withBurst(BURST))
                  .build());
      List<String> urls = nginx.ids(BATCH);

      long start = System.nanoTime();
      List<Result> results = fetcher.fetchAll(urls).join();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

      NoLeaks.closeAndCheck(fetcher);
      Nginx.AccessLog log = nginx.stop();
      System.out.println(report(policy, elapsed, results, log));
      SoftAssertions.assertSoftly(
          softly -> {
            softly
                .assertThat(results)
                .as("results that are not 200; nginx's 429s: %s", rejections(log))
                .filteredOn(r -> r.status() != 200)
                .isEmpty();
            softly.assertThat(log.count(200)).as("200s in nginx's log").isEqualTo(BATCH);
            softly
                .assertThat(log.count(429))
                .as("429s in nginx's log: %s", rejections(log))
                .isZero();
            softly
                .assertThat(elapsed)
                .as("time for %d requests; the quota allows them in %s", BATCH, IDEAL)
                .isLessThanOrEqualTo(BOUND);
          });
    }
  }

  @Test
  void aFetcherAtDoubleTheQuotaGets429s() throws IOException {
    try (Nginx nginx = Nginx.start(QUOTA, BURST)) {
      BatchFetcher fetcher =
          leaks.track(
              BatchFetcher.builder()
                  .policy(ExecutionPolicy.async(16))
                  .rateLimit(RateLimit.perSecond(2 * QUOTA).withBurst(BURST))
                  .retry(RetryPolicy.none()) // every 429 stays in the results
                  .build());

      List<Result> results = fetcher.fetchAll(nginx.ids(100)).join();

      NoLeaks.closeAndCheck(fetcher);
      Nginx.AccessLog log = nginx.stop();
      long rejected = results.stream().filter(r -> r.status() == 429).count();
      System.out.printf(
          Locale.ROOT,
          "nginx %d r/s burst %d, fetcher at double the quota, async(16): 100 requests,"
              + " 429s: %d in results, %d in nginx's log%n",
          QUOTA,
          BURST,
          rejected,
          log.count(429));
      assertThat(rejected).as("429s in the results").isPositive();
      assertThat(log.count(429)).as("429s in nginx's log").isEqualTo(rejected);
      assertThat(log.count(200)).as("200s in nginx's log").isEqualTo(100 - rejected);
    }
  }

  /** One line for the issue note. */
  private static String report(
      ExecutionPolicy policy, Duration elapsed, List<Result> results, Nginx.AccessLog log) {
    double seconds = elapsed.toNanos() / 1e9;
    double achieved = BATCH / seconds;
    double allowed = BATCH / (IDEAL.toNanos() / 1e9); // the quota's average over this batch
    return String.format(
        Locale.ROOT,
        "nginx %d r/s burst %d, %s: %d requests in %d ms (ideal %d ms, %+.1f%%, bound +5%%);"
            + " achieved %.2f r/s of %.2f allowed (ratio %.3f); nginx saw %.2f r/s after the"
            + " burst; first call %d ms; 429s: %d in results, %d in nginx's log",
        QUOTA,
        BURST,
        policy,
        BATCH,
        elapsed.toMillis(),
        IDEAL.toMillis(),
        100.0 * (seconds / (IDEAL.toNanos() / 1e9) - 1),
        achieved,
        allowed,
        achieved / allowed,
        steadyRate(log),
        results.get(0).elapsed().toMillis(),
        results.stream().filter(r -> r.status() == 429).count(),
        log.count(429));
  }

  /**
   * The rate at which nginx accepted requests after the burst: for the ideal client, {@code QUOTA}.
   * Timestamps have nginx's millisecond resolution.
   */
  private static double steadyRate(Nginx.AccessLog log) {
    List<Long> accepted =
        log.entries().stream()
            .filter(e -> e.status() == 200)
            .map(Nginx.Entry::millis)
            .sorted()
            .collect(Collectors.toList());
    if (accepted.size() <= BURST + 1) {
      return Double.NaN;
    }
    long span = accepted.get(accepted.size() - 1) - accepted.get(0);
    return (accepted.size() - (BURST + 1)) * 1000.0 / span;
  }

  /**
   * Each 429 nginx logged: the URI, when (ms after the first request nginx saw), and how many ms
   * before it nginx logged each of the {@code BURST + 1} requests before it.
   */
  private static String rejections(Nginx.AccessLog log) {
    List<Nginx.Entry> entries = log.entries();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < entries.size(); i++) {
      Nginx.Entry e = entries.get(i);
      if (e.status() != 429) {
        continue;
      }
      List<String> before = new ArrayList<>();
      for (int j = i - 1; j >= Math.max(0, i - (BURST + 1)); j--) {
        Nginx.Entry b = entries.get(j);
        before.add((e.millis() - b.millis()) + (b.status() == 200 ? "" : "(" + b.status() + ")"));
      }
      out.append(
          String.format(
              Locale.ROOT,
              "%n  %s at +%d ms, request %d nginx logged; the ones before it, ms earlier: %s",
              e.uri(),
              e.millis() - entries.get(0).millis(),
              i + 1,
              String.join(" ", before)));
    }
    return out.length() == 0 ? "none" : out.toString();
  }
}
