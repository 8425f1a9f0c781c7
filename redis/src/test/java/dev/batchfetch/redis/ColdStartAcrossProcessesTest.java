package dev.batchfetch.redis;

import static dev.batchfetch.redis.SharedQuotaAcrossProcessesTest.BURST;
import static dev.batchfetch.redis.SharedQuotaAcrossProcessesTest.PERMITS_PER_SECOND;
import static dev.batchfetch.redis.SharedQuotaAcrossProcessesTest.PER_PROCESS;
import static dev.batchfetch.redis.SharedQuotaAcrossProcessesTest.PROCESSES;
import static dev.batchfetch.redis.SharedQuotaAcrossProcessesTest.RUN;
import static dev.batchfetch.redis.SharedQuotaAcrossProcessesTest.STARTUP;
import static dev.batchfetch.redis.SharedQuotaAcrossProcessesTest.WINDOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchfetch.redis.testing.ArrivalServer;
import dev.batchfetch.redis.testing.NginxQuota;
import dev.batchfetch.redis.testing.RedisServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 14's cold start: three processes that have just started, sharing a quota in Redis that no
 * one has used yet, start fetching together from a server that enforces exactly that quota (a token
 * bucket of ours, and nginx's {@code limit_req}); then, once the quota has rested, a second round
 * from the same, now warm, processes: a quiet bucket. In neither does the server answer 429, nor
 * see more than the quota plus its burst in any second.
 *
 * <p>Real processes, a real Redis, real servers and real time: each round prints its figures.
 *
 * <p>A cold process's first calls leave hundreds of milliseconds after their permits were due (its
 * first connection, class loading, a busy machine), later than the jitter allowance covers. They
 * used to bunch with the calls after them (one 429 from each server, 28-29 in a second); now a
 * request that leaves more than 100 ms after its permit was due takes a new one as it leaves, and a
 * process's departures pass a gate at the quota's rate. A permit given at once is due from when it
 * was asked for, not from the answer: a cold process's first answer from Redis comes 0.7-1.1 s
 * after its question, and Bucket4j counts the permit in between. Timed from the answer, the first
 * request of a process looked on time, and one server or the other answered 429 in about a third of
 * the runs. {@code BATCHFETCH_TRACE_PERMITS} prints when each permit was due, how long it took to
 * get, and when its call arrived.
 */
@Timeout(120)
class ColdStartAcrossProcessesTest {
  /** The two servers enforcing {@code perSecond(20).withBurst(5)}. */
  enum Server {
    TOKEN_BUCKET,
    NGINX
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void coldProcessesAndAQuietBucketStayWithinTheServersQuota(Server kind) throws Exception {
    try (RedisServer redis = RedisServer.start();
        QuotaServer server = QuotaServer.start(kind)) {
      String quota = "cold-" + kind.name().toLowerCase(Locale.ROOT);
      List<Worker> workers = new ArrayList<>();
      try {
        for (int i = 0; i < PROCESSES; i++) {
          workers.add(
              Worker.start(
                  SharedQuotaAcrossProcessesTest.arguments(
                      redis, server.base(), i, quota, "cold", 2)));
        }
        for (Worker worker : workers) {
          assertThat(worker.readLine(STARTUP)).as("worker's first line").isEqualTo("ready");
        }
        Round cold = round(kind + ", cold processes, a new quota", server, workers);
        long lastArrival = System.nanoTime();
        SharedQuotaAcrossProcessesTest.awaitFullBucket(redis, quota);
        await("the server's bucket to fill")
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> System.nanoTime() - lastArrival > Duration.ofMillis(500).toNanos());
        Round quiet = round(kind + ", warm processes, a quiet quota", server, workers);

        int limit = PERMITS_PER_SECOND + BURST;
        for (Round round : List.of(cold, quiet)) {
          assertThat(round.count).as(round.name + ": arrivals").isEqualTo(PROCESSES * PER_PROCESS);
          assertThat(round.refused).as(round.name + ": answered 429").isZero();
          assertThat(round.figures.maxInWindow())
              .as(round.name + ": most in 1 s")
              .isLessThanOrEqualTo(limit);
        }
      } finally {
        workers.forEach(Worker::close);
      }
    }
  }

  private static Round round(String name, QuotaServer server, List<Worker> workers)
      throws Exception {
    long start = System.nanoTime();
    long startMillis = System.currentTimeMillis();
    for (Worker worker : workers) {
      worker.go();
    }
    List<String> reports = new ArrayList<>();
    for (Worker worker : workers) {
      reports.add(worker.readLine(RUN));
    }
    List<Long> arrivals = server.arrivalsSince(start, startMillis);
    long refused = server.refusedSince(start, startMillis);
    ArrivalServer.Figures figures = ArrivalServer.figures(arrivals, WINDOW);
    ArrivalServer.Figures first =
        ArrivalServer.figures(
            arrivals.subList(0, Math.min(10, arrivals.size())), Duration.ofMillis(100));
    System.out.printf(
        Locale.ROOT,
        "%s, %d processes sharing %d/s burst %d: %s; rate / quota = %.3f; answered 429: %d;"
            + " most in 1 s: %d (limit %d); most of the first 10 in 100 ms: %d;"
            + " first arrivals (ms): %s; workers: %s%n",
        name,
        PROCESSES,
        PERMITS_PER_SECOND,
        BURST,
        figures,
        figures.ratePerSecond() / PERMITS_PER_SECOND,
        refused,
        figures.maxInWindow(),
        PERMITS_PER_SECOND + BURST,
        first.maxInWindow(),
        ArrivalServer.offsetsMillis(arrivals.subList(0, Math.min(12, arrivals.size()))),
        reports);
    if (System.getenv("BATCHFETCH_TRACE_PERMITS") != null) {
      System.out.println("arrivals " + name + ": " + server.trace(start));
    }
    return new Round(name, arrivals.size(), refused, figures);
  }

  private record Round(String name, int count, long refused, ArrivalServer.Figures figures) {}

  /** The server under test: when requests arrived, and how many were refused. */
  private interface QuotaServer extends AutoCloseable {
    String base();

    /** Arrival times, nanoseconds, sorted, of the requests since {@code nanos}. */
    List<Long> arrivalsSince(long nanos, long millis);

    long refusedSince(long nanos, long millis);

    default String trace(long nanos) {
      return "(no trace from nginx after " + nanos + ")";
    }

    @Override
    void close();

    static QuotaServer start(Server kind) throws IOException {
      if (kind == Server.TOKEN_BUCKET) {
        ArrivalServer server = ArrivalServer.enforcing(PERMITS_PER_SECOND, BURST, Duration.ZERO);
        return new QuotaServer() {
          @Override
          public String base() {
            return server.base();
          }

          @Override
          public List<Long> arrivalsSince(long nanos, long millis) {
            return server.arrivals().stream()
                .filter(t -> t - nanos >= 0)
                .collect(Collectors.toList());
          }

          @Override
          public long refusedSince(long nanos, long millis) {
            return server.refusedSince(nanos);
          }

          @Override
          public String trace(long nanos) {
            return server.trace(nanos);
          }

          @Override
          public void close() {
            server.close();
          }
        };
      }
      NginxQuota nginx = NginxQuota.start(PERMITS_PER_SECOND, BURST);
      return new QuotaServer() {
        @Override
        public String base() {
          return nginx.base();
        }

        @Override
        public List<Long> arrivalsSince(long nanos, long millis) {
          return nginx.entries().stream()
              .filter(e -> e.millis() >= millis && e.uri().startsWith("/id/"))
              .map(e -> e.millis() * 1_000_000)
              .sorted()
              .collect(Collectors.toList());
        }

        @Override
        public long refusedSince(long nanos, long millis) {
          return nginx.entries().stream()
              .filter(e -> e.millis() >= millis && e.status() == 429)
              .count();
        }

        @Override
        public void close() {
          nginx.close();
        }
      };
    }
  }
}
