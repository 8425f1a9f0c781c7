package dev.batchfetch.benchmarks;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One configuration's measurements: a contender on a workload against a server.
 *
 * @param workload {@code W1} to {@code W4}
 * @param server which server answered: {@code loopback} (the suite's own) or {@code nginx}
 * @param contender the client
 * @param label the client's name in the report
 * @param runs the measured runs; empty when the configuration was skipped or failed
 * @param peakThreads the most live threads of the client JVM during the measured runs; for Python
 *     the threads alive at the end of a run; -1 when unknown
 * @param peakHeapBytes the sum of the heap pools' peak usage during the measured runs; -1 when
 *     unknown
 * @param rssKb the client process's peak resident set; -1 when unknown
 * @param startThreads the client process's threads when it started, before any client was built; -1
 *     when unknown
 * @param serverTooMany 429s the server counted during the measured runs; -1 when not counted
 * @param note why a configuration was skipped, stopped or failed; null when it ran as planned
 */
record Row(
    String workload,
    String server,
    Contender contender,
    String label,
    List<Run> runs,
    long peakThreads,
    long peakHeapBytes,
    long rssKb,
    long startThreads,
    long serverTooMany,
    @Nullable String note) {

  static Row skipped(
      String workload, String server, Contender contender, String label, String why) {
    return new Row(workload, server, contender, label, List.of(), -1, -1, -1, -1, -1, why);
  }

  boolean measured() {
    return !runs.isEmpty();
  }

  /** The median time of the measured runs in seconds (the lower middle of an even count). */
  double medianSeconds() {
    List<Long> sorted = runs.stream().map(Run::nanos).sorted().toList();
    return sorted.get((sorted.size() - 1) / 2) / 1e9;
  }

  double minSeconds() {
    return runs.stream().mapToLong(Run::nanos).min().orElseThrow() / 1e9;
  }

  double maxSeconds() {
    return runs.stream().mapToLong(Run::nanos).max().orElseThrow() / 1e9;
  }

  /** URLs per second at the median time. */
  double rate() {
    return runs.get(0).count() / medianSeconds();
  }

  /** Successful results per second at the median time. */
  double okRate() {
    List<Run> sorted =
        runs.stream().sorted(java.util.Comparator.comparingLong(Run::nanos)).toList();
    Run median = sorted.get((sorted.size() - 1) / 2);
    return median.ok() / (median.nanos() / 1e9);
  }

  /** The fewest successes of any measured run, and the URLs of a run. */
  String okOfCount() {
    int fewest = runs.stream().mapToInt(Run::ok).min().orElse(0);
    return fewest + "/" + runs.get(0).count();
  }

  /** 429s among the final results, per run on average. */
  double tooManyPerRun() {
    return runs.stream().mapToInt(Run::tooMany).average().orElse(0);
  }

  /**
   * One measured run.
   *
   * @param nanos from the first call handed to the client to the last result recorded
   * @param count URLs in the run
   * @param ok results with status 200 (and, where checked, the right body)
   * @param tooMany results with status 429
   * @param failed the other results
   */
  record Run(long nanos, int count, int ok, int tooMany, int failed) {}
}
