package dev.batchfetch.internal;

/**
 * Where the admission loop takes rate-limit permits: the fetcher's own {@link SmoothRateLimiter},
 * which answers at once, or a user's limiter ({@link RemoteLimiter}), which may have to ask a store
 * over the network and is therefore asked from another thread.
 *
 * <p>The methods with defaults are the schedule adjustments only the fetcher's own limiter can
 * make; for any other they do nothing.
 */
interface Limiter {
  /**
   * Reserves one permit: the nanoseconds to wait before using it, or a negative number, reserving
   * nothing, when none comes within the limiter's timeout.
   *
   * @throws RuntimeException if a remote limiter cannot answer
   */
  long reservePermission();

  /** Spends what the limiter would hand out at once: a server said "too many". */
  void drainPermissions();

  /** Whether {@link #reservePermission} may wait on I/O, and must be asked off the loop. */
  default boolean isRemote() {
    return false;
  }

  /** See {@link SmoothRateLimiter#busyPeriod()}. */
  default long busyPeriod() {
    return 0;
  }

  /** See {@link SmoothRateLimiter#shift()}. */
  default long shift() {
    return 0;
  }

  /** See {@link SmoothRateLimiter#sent}. */
  default void sent(long latenessNanos, long period) {}

  /** See {@link SmoothRateLimiter#usedAt}. */
  default void usedAt(long startNanos) {}

  /** See {@link SmoothRateLimiter#holdUntil}. */
  default void holdUntil(long untilNanos) {}

  /** Whether forgetting this limiter loses nothing; a remote one keeps its state elsewhere. */
  default boolean isIdle() {
    return true;
  }
}
