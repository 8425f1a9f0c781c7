package dev.batchfetch;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a streamed batch ({@link BatchFetcher#fetchEach(Iterable, java.util.function.Consumer)})
 * did, in counts: the results it delivered, how many succeeded, why the others failed, the body
 * bytes received, how long it took, and the rates quota discovery learned.
 *
 * <pre>{@code
 * BatchSummary summary = fetcher.fetchEach(urls, result -> store(result)).join();
 * log.info("{} of {} succeeded, {} rate limited, in {}", summary.succeeded(), summary.results(),
 *     summary.failures(ErrorKind.RATE_LIMITED), summary.elapsed());
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param results the results delivered, one per input read
 * @param succeeded how many of them are successes
 * @param failures how many failed, by {@link ErrorKind}; kinds that did not occur are absent
 * @param bytes body bytes received, over every attempt, whatever was done with them
 * @param elapsed from the batch's submission to its last result
 * @param learnedRates the rates quota discovery had learned when the batch ended, calls per second
 *     by host ({@code name:port}), of the fetcher's hosts it paced then: slowest first, at most
 *     100; empty when none was paced, or with discovery off
 */
public record BatchSummary(
    long results,
    long succeeded,
    Map<ErrorKind, Long> failures,
    long bytes,
    Duration elapsed,
    Map<String, Double> learnedRates) {

  /**
   * Checks and copies the arguments.
   *
   * @throws NullPointerException if {@code failures}, {@code elapsed} or {@code learnedRates} is
   *     null, or holds null
   * @throws IllegalArgumentException if a count is negative, or the counts do not add up
   */
  public BatchSummary {
    Objects.requireNonNull(failures, "failures");
    Objects.requireNonNull(elapsed, "elapsed");
    learnedRates = Collections.unmodifiableMap(new LinkedHashMap<>(learnedRates));
    EnumMap<ErrorKind, Long> copy = new EnumMap<>(ErrorKind.class);
    long failed = 0;
    for (Map.Entry<ErrorKind, Long> failure : failures.entrySet()) {
      long count = Objects.requireNonNull(failure.getValue(), "failure count");
      if (count < 0) {
        throw new IllegalArgumentException("failure counts must not be negative: " + failures);
      }
      if (count > 0) {
        copy.put(failure.getKey(), count);
        failed += count;
      }
    }
    if (results < 0 || succeeded < 0 || bytes < 0) {
      throw new IllegalArgumentException(
          "counts must not be negative: results=" + results + ", succeeded=" + succeeded);
    }
    if (succeeded + failed != results) {
      throw new IllegalArgumentException(
          "results ("
              + results
              + ") must be succeeded ("
              + succeeded
              + ") plus failures ("
              + failed
              + ")");
    }
    failures = Collections.unmodifiableMap(copy);
  }

  /**
   * A summary with no learned rate.
   *
   * @throws NullPointerException if {@code failures} or {@code elapsed} is null
   * @throws IllegalArgumentException as the canonical constructor
   */
  public BatchSummary(
      long results, long succeeded, Map<ErrorKind, Long> failures, long bytes, Duration elapsed) {
    this(results, succeeded, failures, bytes, elapsed, Map.of());
  }

  /** How many results are failures, of any kind. */
  public long failed() {
    return results - succeeded;
  }

  /** How many results failed with {@code kind}. */
  public long failures(ErrorKind kind) {
    Objects.requireNonNull(kind, "kind");
    return failures.getOrDefault(kind, 0L);
  }
}
