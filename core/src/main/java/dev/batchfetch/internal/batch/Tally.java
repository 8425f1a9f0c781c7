package dev.batchfetch.internal.batch;

import dev.batchfetch.BatchSummary;
import dev.batchfetch.ErrorKind;
import dev.batchfetch.Progress;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.internal.time.Ticker;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The running counts of one batch, updated by the calls as they go and read by progress reports and
 * the summary. Lock-free: each count is exact, a snapshot of several is not atomic.
 */
public final class Tally {
  /** Below this many results, the rate so far says little: estimate from the quota alone. */
  private static final int FEW = 20;

  private final long batch;
  private final long total;
  private final long startNanos;
  private final Ticker ticker;
  private final LongAdder submitted = new LongAdder();
  private final LongAdder inFlight = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final Map<ErrorKind, LongAdder> failures = new EnumMap<>(ErrorKind.class);
  private volatile long endNanos;
  private volatile Supplier<Map<String, Double>> learnedRates = Map::of;
  private boolean lastReported; // guarded by this

  Tally(long batch, long total, Ticker ticker) {
    this.batch = batch;
    this.total = total;
    this.ticker = ticker;
    this.startNanos = ticker.nanoTime();
    for (ErrorKind kind : ErrorKind.values()) {
      failures.put(kind, new LongAdder()); // filled once, read-only after: safe to share
    }
  }

  public long batch() {
    return batch;
  }

  /** How many inputs the batch has, or -1 when it is streamed from an input of unknown size. */
  public long total() {
    return total;
  }

  public void submitted() {
    submitted.increment();
  }

  public void attemptStarted() {
    inFlight.increment();
  }

  public void attemptEnded() {
    inFlight.decrement();
  }

  public void received(long byteCount) {
    bytes.add(byteCount);
  }

  void finished(Result result) {
    ErrorKind error = result.error();
    if (error == null) {
      succeeded.increment();
    } else {
      Objects.requireNonNull(failures.get(error)).increment(); // every kind is in the map
    }
  }

  /** Marks the batch ended: its elapsed time stops here. */
  public void ended() {
    if (endNanos == 0) {
      endNanos = ticker.nanoTime();
    }
  }

  /** Where the rates quota discovery learned are read, for the reports and the summary. */
  public void learnedRates(Supplier<Map<String, Double>> rates) {
    this.learnedRates = rates;
  }

  /**
   * Tells {@code listener} the progress now, unless the last report, with {@code done}, was made
   * already: one batch's reports come one at a time, the last one last.
   */
  public synchronized void report(List<RateLimit> quota, Consumer<? super Progress> listener) {
    if (lastReported) {
      return;
    }
    Progress progress = progress(quota);
    lastReported = progress.done();
    listener.accept(progress);
  }

  public Progress progress(List<RateLimit> quota) {
    Map<String, Double> learned = learnedRates.get();
    long end = endNanos;
    boolean done = end != 0;
    Duration elapsed = Duration.ofNanos((done ? end : ticker.nanoTime()) - startNanos);
    long ok = succeeded.sum();
    long failed = failed();
    long finished = ok + failed;
    long taken = submitted.sum();
    long calls = Math.max(0, inFlight.sum());
    double seconds = elapsed.toNanos() / 1e9;
    double rate = seconds > 0 ? finished / seconds : 0;
    return new Progress(
        batch,
        total,
        taken,
        Math.max(0, taken - finished - calls),
        calls,
        ok,
        failed,
        bytes.sum(),
        elapsed,
        rate,
        done ? Duration.ZERO : timeLeft(finished, rate, bound(quota, learned)),
        done,
        learned);
  }

  /**
   * The most results a second the limits allow: the slowest global rate limit, or the sum of the
   * rates discovery learned where that is lower; infinite for no limit.
   */
  private static double bound(List<RateLimit> quota, Map<String, Double> learned) {
    double bound = Double.POSITIVE_INFINITY;
    for (RateLimit limit : quota) {
      if (!limit.isUnlimited()) {
        bound = Math.min(bound, 1e9 / limit.interval().toNanos());
      }
    }
    if (!learned.isEmpty()) {
      double sum = 0;
      for (double rate : learned.values()) {
        sum += rate;
      }
      bound = Math.min(bound, sum);
    }
    return bound;
  }

  public BatchSummary summary() {
    Map<ErrorKind, Long> byKind = new EnumMap<>(ErrorKind.class);
    failures.forEach(
        (kind, count) -> {
          if (count.sum() > 0) {
            byKind.put(kind, count.sum());
          }
        });
    long ok = succeeded.sum();
    long end = endNanos == 0 ? ticker.nanoTime() : endNanos;
    return new BatchSummary(
        ok + failed(),
        ok,
        byKind,
        bytes.sum(),
        Duration.ofNanos(end - startNanos),
        learnedRates.get());
  }

  private long failed() {
    long sum = 0;
    for (LongAdder count : failures.values()) {
      sum += count.sum();
    }
    return sum;
  }

  private @Nullable Duration timeLeft(long finished, double rate, double quotaRate) {
    if (total < 0) {
      return null;
    }
    long left = Math.max(0, total - finished);
    double pace = finished < FEW ? quotaRate : Math.min(rate, quotaRate);
    if (pace == Double.POSITIVE_INFINITY || pace <= 0) {
      return left == 0 ? Duration.ZERO : null;
    }
    return Duration.ofNanos((long) Math.min(Long.MAX_VALUE, left / pace * 1e9));
  }
}
