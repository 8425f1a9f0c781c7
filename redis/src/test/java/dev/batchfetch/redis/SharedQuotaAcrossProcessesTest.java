package dev.batchfetch.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchfetch.RateLimit;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
  private static final int PROCESSES = 3;
  private static final int PER_PROCESS = 50;
  private static final int PERMITS_PER_SECOND = 20;
  private static final int BURST = 5;
  private static final Duration WINDOW = Duration.ofSeconds(1);
  private static final Duration STARTUP = Duration.ofSeconds(45);
  private static final Duration RUN = Duration.ofSeconds(30);

  @Test
  void processesSharingAQuotaStayWithinItTogether() throws Exception {
    try (RedisServer redis = RedisServer.start();
        ArrivalServer server = ArrivalServer.start()) {
      List<Process> workers = new ArrayList<>();
      try {
        for (int i = 0; i < PROCESSES; i++) {
          workers.add(startWorker(redis.uri(), server.base(), i * PER_PROCESS));
        }
        for (Process worker : workers) {
          assertThat(readLine(worker, STARTUP)).as("worker's first line").isEqualTo("ready");
        }
        awaitFullBucket(redis);
        for (Process worker : workers) { // warm, and the quota rested: start them together
          OutputStream in = worker.getOutputStream();
          in.write("go\n".getBytes(UTF_8));
          in.flush();
        }
        List<String> reports = new ArrayList<>();
        for (Process worker : workers) {
          reports.add(readLine(worker, RUN));
          assertThat(worker.waitFor(RUN.toSeconds(), TimeUnit.SECONDS)).isTrue();
          assertThat(worker.exitValue()).as("worker's exit code").isZero();
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
        workers.forEach(Process::destroyForcibly);
      }
    }
  }

  /**
   * Waits until the quota's bucket, drawn down by the workers' warm-ups, is full again (its burst,
   * less what the jitter allowance keeps back): the run starts from the densest schedule the quota
   * allows.
   */
  private static void awaitFullBucket(RedisServer redis) {
    try (RedisRateLimiters limiters = RedisRateLimiters.builder().uri(redis.uri()).build()) {
      RedisRateLimiter quota =
          limiters.limiter("shared", RateLimit.perSecond(PERMITS_PER_SECOND).withBurst(BURST));
      await("the quota's bucket to fill")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> quota.getMetrics().getAvailablePermissions() >= quota.maxPermits());
    }
  }

  private static Process startWorker(String redisUri, String base, int from) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Surefire puts the test class path here; java.class.path may be its manifest-only jar.
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return new ProcessBuilder(
            java,
            "-cp",
            classPath,
            "-Xmx128m",
            "-XX:TieredStopAtLevel=1",
            SharedQuotaWorker.class.getName(),
            redisUri,
            base,
            Integer.toString(from),
            Integer.toString(PER_PROCESS),
            "shared",
            Integer.toString(PERMITS_PER_SECOND),
            Integer.toString(BURST))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  /** The worker's next line of output, waiting at most {@code timeout}. */
  private static String readLine(Process worker, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    BufferedReader out = readers.computeIfAbsent(worker, SharedQuotaAcrossProcessesTest::reader);
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                return String.valueOf(out.readLine());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static final java.util.Map<Process, BufferedReader> readers =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static BufferedReader reader(Process worker) {
    return new BufferedReader(new InputStreamReader(worker.getInputStream(), UTF_8));
  }
}
