package dev.batchfetch.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchfetch.RateLimit;
import dev.batchfetch.redis.testing.ArrivalServer;
import dev.batchfetch.redis.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7's acceptance test: separate JVMs, each a fetcher with the quota in Redis, fetch their
 * shares of the URLs from one local server, which counts arrivals. Together they never exceed the
 * quota plus its burst in any one-second window, and reach at least 90% of the quota.
 *
 * <p>Real processes, a real Redis, real time: each run prints its figures.
 */
@Timeout(90)
class SharedQuotaAcrossProcessesTest {
  static final int PROCESSES = 3;
  static final int PER_PROCESS = 50;
  static final int PERMITS_PER_SECOND = 20;
  static final int BURST = 5;
  static final Duration WINDOW = Duration.ofSeconds(1);
  static final Duration STARTUP = Duration.ofSeconds(45);
  static final Duration RUN = Duration.ofSeconds(30);

  @Test
  void processesSharingAQuotaStayWithinItTogether() throws Exception {
    try (RedisServer redis = RedisServer.start();
        ArrivalServer server = ArrivalServer.start()) {
      List<Worker> workers = new ArrayList<>();
      try {
        for (int i = 0; i < PROCESSES; i++) {
          workers.add(Worker.start(arguments(redis, server.base(), i, "shared", "warm", 1)));
        }
        for (Worker worker : workers) {
          assertThat(worker.readLine(STARTUP)).as("worker's first line").isEqualTo("ready");
        }
        awaitFullBucket(redis, "shared");
        for (Worker worker : workers) { // warm, and the quota rested: start them together
          worker.go();
        }
        List<String> reports = new ArrayList<>();
        for (Worker worker : workers) {
          reports.add(worker.readLine(RUN));
          assertThat(worker.exitCode(RUN)).as("worker's exit code").isZero();
        }

        List<Long> arrivals = server.arrivals();
        ArrivalServer.Figures figures = ArrivalServer.figures(arrivals, WINDOW);
        int limit = PERMITS_PER_SECOND + BURST;
        Duration tightest = ArrivalServer.tightest(arrivals, limit + 1);
        System.out.printf(
            Locale.ROOT,
            "%d processes sharing %d/s, burst %d, in Redis (workers: %s): %s;"
                + " combined rate / quota = %.3f; most in any 1 s window %d (limit %d);"
                + " %d arrivals in a row took at least %d ms%n",
            PROCESSES,
            PERMITS_PER_SECOND,
            BURST,
            reports,
            figures,
            figures.ratePerSecond() / PERMITS_PER_SECOND,
            figures.maxInWindow(),
            limit,
            limit + 1,
            tightest == null ? -1 : tightest.toMillis());
        System.out.println(
            "arrivals (ms from the first): " + ArrivalServer.offsetsMillis(arrivals));
        assertThat(figures.count()).isEqualTo(PROCESSES * PER_PROCESS);
        assertThat(figures.maxInWindow()).isLessThanOrEqualTo(limit);
        assertThat(figures.ratePerSecond()).isGreaterThanOrEqualTo(0.9 * PERMITS_PER_SECOND);
      } finally {
        workers.forEach(Worker::close);
      }
    }
  }

  /** {@link SharedQuotaWorker}'s arguments for worker {@code i}. */
  static List<String> arguments(
      RedisServer redis, String base, int i, String quota, String mode, int rounds) {
    return List.of(
        redis.uri(),
        base,
        Integer.toString(i * PER_PROCESS),
        Integer.toString(PER_PROCESS),
        quota,
        Integer.toString(PERMITS_PER_SECOND),
        Integer.toString(BURST),
        mode,
        Integer.toString(rounds));
  }

  /**
   * Waits until the quota's bucket, drawn down by the workers, is full again (its burst, less what
   * the jitter allowance keeps back): the next round starts from the densest schedule the quota
   * allows.
   */
  static void awaitFullBucket(RedisServer redis, String quotaName) {
    try (RedisRateLimiters limiters = RedisRateLimiters.builder().uri(redis.uri()).build()) {
      RedisRateLimiter quota =
          limiters.limiter(quotaName, RateLimit.perSecond(PERMITS_PER_SECOND).withBurst(BURST));
      await("the quota's bucket to fill")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> quota.getMetrics().getAvailablePermissions() >= quota.maxPermits());
    }
  }
}
