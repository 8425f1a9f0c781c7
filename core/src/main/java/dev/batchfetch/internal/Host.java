package dev.batchfetch.internal;

import dev.batchfetch.HostLimits;
import dev.batchfetch.RateLimit;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * One host's admission state: its own rate limiter and bulkhead, the inputs waiting for it, and any
 * pause the server asked for. Everything but the bulkhead is touched only by the admission loop,
 * one thread at a time, so nothing here needs a lock.
 */
final class Host {
  final String key;

  /**
   * The host's limiter: its own, replaced by a slower one when the server announces a lower quota,
   * or the user's.
   */
  volatile Limiter limiter;

  final Bulkhead bulkhead;
  final ArrayDeque<Exchange> queue = new ArrayDeque<>();

  /** No call starts before this (the server's Retry-After, or its quota's reset). */
  long pausedUntilNanos;

  /** Until this, inputs fail at once as rate limited: the server asked for a wait past the cap. */
  long blockedUntilNanos;

  /** A timer will hand this host back to the loop: a reserved start, or the end of a pause. */
  boolean timerArmed;

  /** Whether the host is in the loop's ready queue, and the sequence it is ordered by there. */
  boolean inReady;

  long readyKey;

  /** Whether the host waits in the loop's stalled list, for a batch's consumer to catch up. */
  boolean stalled;

  Host(String key, HostLimits limits, @Nullable Limiter shared, LongSupplier nanoTime) {
    this.key = key;
    this.limiter =
        shared != null
            ? shared
            : new SmoothRateLimiter(key, limits.rateLimit(), Duration.ofDays(1), nanoTime);
    this.bulkhead =
        Bulkhead.of(
            key,
            BulkheadConfig.custom()
                .maxConcurrentCalls(limits.maxConcurrent())
                .maxWaitDuration(Duration.ZERO)
                .fairCallHandlingStrategyEnabled(false)
                .writableStackTraceEnabled(false)
                .build());
  }

  /**
   * Slows this host to {@code announced}, the quota its server says it enforces, if that is slower
   * than the rate the host has now; never speeds it up. A user's limiter is left alone.
   */
  void adaptTo(RateLimit announced) {
    if (limiter instanceof SmoothRateLimiter own
        && announced.interval().compareTo(own.rateLimit().interval()) > 0) {
      limiter = own.slowedTo(announced);
    }
  }

  @Nullable Exchange head() {
    return queue.peekFirst();
  }

  /**
   * Whether forgetting this host loses nothing: no input waits, no call is in flight, no timer is
   * armed, no pause or block is running and its limiter has refilled, so a new {@code Host} would
   * behave exactly as this one.
   */
  boolean isIdle(long now) {
    Bulkhead.Metrics metrics = bulkhead.getMetrics();
    return queue.isEmpty()
        && !timerArmed
        && !inReady
        && !stalled
        && metrics.getAvailableConcurrentCalls() == metrics.getMaxAllowedConcurrentCalls()
        && pausedUntilNanos - now <= 0
        && blockedUntilNanos - now <= 0
        && limiter.isIdle();
  }

  @Override
  public String toString() {
    return key;
  }
}
