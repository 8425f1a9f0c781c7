package dev.batchfetch;

import dev.batchfetch.testing.QuotaModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * One run of a real fetcher, in virtual time, against a {@link FakeServer} that enforces a {@link
 * QuotaModel} on host {@code a.test}: the engine's quota discovery measured by the criteria of
 * issue 11. Each answer takes the server's latency; the run lasts {@code seconds} of virtual time,
 * with more inputs than the quota can take meanwhile.
 *
 * @param server the model, as its {@code toString} names it
 * @param policy the fetcher's policy
 * @param ideal the most calls per second the quota and the policy's width allow
 * @param throughput calls accepted per second from 5 s on, as a share of {@code ideal}
 * @param rateAt5s the learned rate of the host at 5 s; infinite when it was not paced
 * @param throttledAfter5s the share of attempts answered 429 from 5 s on
 * @param throttled the share of attempts answered 429 over the run
 * @param throttledAfterHeaders 429s for attempts that arrived after the first answer with quota
 *     headers went back; -1 when the server sends none
 * @param failed results that are not successes, among the inputs that ended within the run
 * @param attempts attempts that reached the server
 * @param perSecond the learned rate at the end of each second (infinite: not paced)
 */
record QuotaRun(
    String server,
    ExecutionPolicy policy,
    double ideal,
    double throughput,
    double rateAt5s,
    double throttledAfter5s,
    double throttled,
    long throttledAfterHeaders,
    long failed,
    long attempts,
    List<Double> perSecond) {

  static final Duration LATENCY = Duration.ofMillis(500);
  private static final String HOST = "a.test:80";

  /** Runs {@code policy} with quota discovery against {@code quota} for {@code seconds}. */
  static QuotaRun of(
      QuotaModel quota, ExecutionPolicy policy, int seconds, BatchFetcher.Builder configured) {
    Virtual virtual = new Virtual();
    virtual.server.latency(LATENCY).enforce("a.test", quota.fresh());
    BatchFetcher fetcher = configured.hooks(virtual.server.hooks()).policy(policy).build();
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < (int) (seconds * Math.max(4, 2 * quota.quota())); i++) {
      urls.add("http://a.test/" + i);
    }
    CompletableFuture<List<Result>> batch = fetcher.fetchAll(urls);
    List<Double> perSecond = new ArrayList<>();
    double rateAt5s = Double.POSITIVE_INFINITY;
    for (int s = 1; s <= seconds; s++) {
      virtual.advanceMillis(1000);
      double rate = fetcher.learnedRates().getOrDefault(HOST, Double.POSITIVE_INFINITY);
      perSecond.add(rate);
      if (s == 5) {
        rateAt5s = rate;
      }
    }
    List<FakeServer.Sent> sent = virtual.server.sent();
    fetcher.close(); // the inputs not done yet end as REJECTED or CANCELLED: not counted
    List<Result> results = batch.join();
    long failed =
        results.stream()
            .filter(r -> r.error() != null)
            .filter(r -> r.error() != ErrorKind.REJECTED && r.error() != ErrorKind.CANCELLED)
            .count();
    long start = virtual.clock.nanoTime() - virtual.clock.elapsed().toNanos();
    long warm = start + Duration.ofSeconds(5).toNanos();
    long acceptedAfter = 0;
    long after = 0;
    long refusedAfter = 0;
    long refused = 0;
    for (FakeServer.Sent s : sent) {
      boolean late = s.nanos() >= warm;
      if (late) {
        after++;
      }
      if (s.status() == 429) {
        refused++;
        refusedAfter += late ? 1 : 0;
      } else if (late) {
        acceptedAfter++;
      }
    }
    long headers = -1;
    if (!sent.isEmpty() && !quota.fresh().answer(0).headers().isEmpty()) {
      long firstAnswer = sent.get(0).nanos() + LATENCY.toNanos();
      headers = sent.stream().filter(s -> s.nanos() > firstAnswer && s.status() == 429).count();
    }
    double ideal = Math.min(quota.quota(), policy.width() / (LATENCY.toNanos() / 1e9));
    return new QuotaRun(
        quota.toString(),
        policy,
        ideal,
        acceptedAfter / (ideal * (seconds - 5)),
        rateAt5s,
        after == 0 ? 0 : refusedAfter / (double) after,
        sent.isEmpty() ? 0 : refused / (double) sent.size(),
        headers,
        failed,
        sent.size(),
        perSecond);
  }

  /** Whether the learned rate at 5 s is within {@code share} of the quota. */
  boolean rateAt5sWithin(double quota, double share) {
    return Math.abs(rateAt5s - quota) <= share * quota;
  }

  String row() {
    return String.format(
        Locale.ROOT,
        "| %s | %s | %.1f | %.1f%% | %s | %.2f%% | %.2f%% | %s | %d | %d |",
        server,
        policy,
        ideal,
        100 * throughput,
        rateAt5s == Double.POSITIVE_INFINITY ? "-" : String.format(Locale.ROOT, "%.1f", rateAt5s),
        100 * throttledAfter5s,
        100 * throttled,
        throttledAfterHeaders < 0 ? "-" : Long.toString(throttledAfterHeaders),
        failed,
        attempts);
  }

  static String header() {
    return "| server | policy | ideal/s | throughput after 5 s | rate at 5 s | 429 after 5 s"
        + " | 429 overall | 429 after headers | failed | attempts |\n"
        + "|---|---|---|---|---|---|---|---|---|---|";
  }
}
