package dev.batchfetch.internal.time;

import java.time.Instant;

/**
 * The one time source of a fetcher: a monotonic clock for every wait, pace and deadline, and the
 * wall clock for the times servers write in headers ({@code Retry-After} as an HTTP date, quota
 * resets as Unix times). In production {@link #system()}; tests use a manual ticker whose two
 * clocks advance together, as Caffeine's {@code FakeTicker} does.
 *
 * <p>Implementations are thread-safe.
 */
public interface Ticker {
  /** Monotonic nanoseconds, comparable only with other readings of this ticker. */
  long nanoTime();

  /** The wall-clock time now. */
  Instant instant();

  /** {@link System#nanoTime()} and the system's UTC clock. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}
