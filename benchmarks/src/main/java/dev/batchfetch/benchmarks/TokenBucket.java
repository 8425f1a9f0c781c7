package dev.batchfetch.benchmarks;

/**
 * A server's quota as nginx's {@code limit_req rate=... burst=... nodelay} enforces it: a generic
 * cell rate algorithm that lets {@code burst + 1} requests through at once and then one per
 * interval, and refuses the rest without delaying them.
 *
 * <p>Not thread-safe: the {@link LoopbackServer}'s single loop owns it.
 */
final class TokenBucket {
  private final long intervalNanos;
  private final long toleranceNanos;
  private long tat = Long.MIN_VALUE;

  /**
   * @param perSecond the steady rate, at least 1
   * @param burst how many requests beyond the steady rate may arrive at once, 0 or more
   */
  TokenBucket(long perSecond, long burst) {
    if (perSecond < 1 || burst < 0) {
      throw new IllegalArgumentException("perSecond " + perSecond + ", burst " + burst);
    }
    this.intervalNanos = 1_000_000_000L / perSecond;
    this.toleranceNanos = burst * intervalNanos;
  }

  /** Whether a request arriving at {@code nowNanos} is within the quota; if so, it counts. */
  boolean tryTake(long nowNanos) {
    if (tat == Long.MIN_VALUE) {
      tat = nowNanos;
    }
    if (tat - toleranceNanos - nowNanos > 0) {
      return false;
    }
    tat = Math.max(tat, nowNanos) + intervalNanos;
    return true;
  }
}
