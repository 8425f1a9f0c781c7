package dev.batchfetch;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where one batch stands: what a progress bar or a log line needs. A fetcher with a {@link
 * BatchFetcher.Builder#progressListener progress listener} hands one to it for every running batch
 * at each {@link BatchFetcher.Builder#progressInterval interval}, and a last one, with {@link
 * #done()} true, when the batch ends.
 *
 * <pre>{@code
 * BatchFetcher.builder()
 *     .progressListener(p -> System.err.printf("%d/%d, %.0f/s, %s left%n",
 *         p.finished(), p.total(), p.resultsPerSecond(), p.estimatedTimeLeft()))
 *     .build();
 * }</pre>
 *
 * <p>The counts are read one after another from counters the calls update as they go, not under a
 * lock: each is exact, their sum may be off by the calls that moved in between. Cheap enough to
 * take every few milliseconds. Immutable and thread-safe.
 *
 * @param batch the batch's number within its fetcher, from 1 in submission order
 * @param total how many inputs the batch has, or -1 when it is streamed from an input of unknown
 *     size
 * @param submitted inputs taken from the batch so far
 * @param waiting inputs taken but neither in flight nor done: queued for a rate-limit permit, a
 *     bulkhead slot, a pause of their host, or a retry's backoff
 * @param inFlight calls on the wire now
 * @param succeeded results that are successes
 * @param failed results that are failures of any kind
 * @param bytes body bytes received so far, over every attempt
 * @param elapsed since the batch was submitted
 * @param resultsPerSecond results so far divided by {@code elapsed}
 * @param estimatedTimeLeft how long the rest should take, or null when it cannot be told (the total
 *     is unknown, or nothing is done yet and there is no quota to go by); see {@link
 *     #estimatedTimeLeft()}
 * @param done whether this is the batch's last report: every result is in
 * @param learnedRates the rates quota discovery has learned, calls per second by host ({@code
 *     name:port}), of the fetcher's hosts that it paces now: slowest first, at most 100, immutable;
 *     empty while no host has shown a sign of a quota, or with discovery off
 */
public record Progress(
    long batch,
    long total,
    long submitted,
    long waiting,
    long inFlight,
    long succeeded,
    long failed,
    long bytes,
    Duration elapsed,
    double resultsPerSecond,
    @Nullable Duration estimatedTimeLeft,
    boolean done,
    Map<String, Double> learnedRates) {

  /**
   * Checks the arguments, and copies {@code learnedRates} in its order.
   *
   * @throws NullPointerException if {@code elapsed} or {@code learnedRates} is null, or holds null
   */
  public Progress {
    Objects.requireNonNull(elapsed, "elapsed");
    learnedRates = Collections.unmodifiableMap(new LinkedHashMap<>(learnedRates));
  }

  /**
   * A report with no learned rate.
   *
   * @throws NullPointerException if {@code elapsed} is null
   */
  public Progress(
      long batch,
      long total,
      long submitted,
      long waiting,
      long inFlight,
      long succeeded,
      long failed,
      long bytes,
      Duration elapsed,
      double resultsPerSecond,
      @Nullable Duration estimatedTimeLeft,
      boolean done) {
    this(
        batch,
        total,
        submitted,
        waiting,
        inFlight,
        succeeded,
        failed,
        bytes,
        elapsed,
        resultsPerSecond,
        estimatedTimeLeft,
        done,
        Map.of());
  }

  /** Results so far: {@code succeeded + failed}. */
  public long finished() {
    return succeeded + failed;
  }

  /**
   * How long the rest of the batch should take: the inputs left divided by the rate so far, or by
   * the fetcher's {@link BatchFetcher.Builder#rateLimit rate limit}, or by the rates quota
   * discovery learned (their sum, over the hosts it paces), where that is lower or nothing is done
   * yet (when the quota bounds a batch, the rate of its first calls, a burst, says nothing of the
   * rest). Null when the total is unknown, or when nothing is done and there is no quota.
   */
  @Override
  public @Nullable Duration estimatedTimeLeft() {
    return estimatedTimeLeft;
  }
}
