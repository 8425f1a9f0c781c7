package dev.batchfetch.benchmarks;

import java.time.Duration;
import java.util.List;

/**
 * What the suite runs: the four workloads at full or quick size, the repetitions, and the bound on
 * one run.
 *
 * @param quick whether this is the quick run (smaller sizes, fewer repetitions), for trying the
 *     command out; its numbers are not the published ones
 * @param concurrency the width of every concurrent client (C)
 * @param runs measured runs per configuration
 * @param maxRunSeconds a configuration whose run would take longer is skipped (predicted from its
 *     warm-up, or bounded below by {@code count x delay / width}); one that does run past it is
 *     stopped
 * @param workloads W1 to W4
 */
record Plan(
    boolean quick, int concurrency, int runs, long maxRunSeconds, List<Workload> workloads) {

  /** The quota of W4, as nginx's {@code limit_req rate=100r/s burst=10}. */
  static final long QUOTA_RATE = 100;

  static final long QUOTA_BURST = 10;

  /** The server's delay in W3. */
  static final Duration SERVER_DELAY = Duration.ofMillis(50);

  /** The full run, or the quick one: the same workloads, smaller, and fewer runs. */
  static Plan of(boolean quick, int concurrency) {
    return new Plan(
        quick,
        concurrency,
        quick ? 3 : 5,
        quick ? 10 : 60,
        List.of(
            new Workload(
                "W1", quick ? 500 : 2_500, quick ? 500 : 2_500, quick ? 2 : 4, false, false),
            new Workload("W2", quick ? 5_000 : 100_000, quick ? 1_000 : 10_000, 2, false, false),
            new Workload("W3", quick ? 500 : 2_500, quick ? 200 : 500, quick ? 1 : 2, true, false),
            new Workload("W4", quick ? 200 : 1_000, quick ? 50 : 200, 1, false, true)));
  }

  /** URLs per run of the one-JVM comparison with raw OkHttp ({@link Overhead}). */
  int overheadCount() {
    return quick ? 2_000 : 20_000;
  }

  /** Its warm-up runs of each side. */
  int overheadWarmups() {
    return quick ? 1 : 3;
  }

  Workload workload(String id) {
    return workloads.stream().filter(w -> w.id().equals(id)).findFirst().orElseThrow();
  }

  /** How W2's size compares with W1's: 40 in the full run. */
  double scaleW2OverW1() {
    return (double) workload("W2").count() / workload("W1").count();
  }

  /**
   * One workload.
   *
   * @param count URLs per measured run
   * @param warmupCount URLs per warm-up run
   * @param warmups warm-up runs before the measured ones, untimed
   * @param delayed whether the server waits {@link #SERVER_DELAY} before each answer
   * @param quota whether the URLs go to the quota-limited path
   */
  record Workload(
      String id, int count, int warmupCount, int warmups, boolean delayed, boolean quota) {

    /** The server's delay before each answer. */
    Duration delay() {
      return delayed ? SERVER_DELAY : Duration.ZERO;
    }

    String title() {
      String what =
          quota
              ? "URLs to a quota-limited server"
              : delayed
                  ? "URLs, " + SERVER_DELAY.toMillis() + " ms server delay"
                  : "URLs, no server delay";
      return String.format(java.util.Locale.ROOT, "%,d %s", count, what);
    }

    /** The contenders of this workload: on W4, batchfetch at the quota and OkHttp without one. */
    List<Contender> contenders() {
      if (quota) {
        return List.of(
            Contender.BATCHFETCH_SEQUENTIAL,
            Contender.BATCHFETCH_POOL,
            Contender.BATCHFETCH_ASYNC,
            Contender.OKHTTP_ENQUEUE_TUNED);
      }
      return List.of(Contender.values());
    }
  }
}
