package dev.batchfetch.internal.events;

import java.util.concurrent.TimeUnit;

/**
 * Lets a repeated log line through at most once per interval and counts the ones held back, so that
 * a listener or a body handler that throws on every call writes a line every ten seconds, not one
 * per call. Thread-safe.
 */
final class Throttle {
  static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private boolean started;
  private long nextNanos;
  private long held;

  /**
   * Whether a line may be written at {@code now} (a monotonic reading): the first always may.
   *
   * @return -1 to hold it back (it is counted), else how many were held back since the last one
   */
  synchronized long pass(long now) {
    if (started && now - nextNanos < 0) {
      held++;
      return -1;
    }
    started = true;
    nextNanos = now + INTERVAL_NANOS;
    long count = held;
    held = 0;
    return count;
  }
}
