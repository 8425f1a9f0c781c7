package dev.batchfetch.redis.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Redis answered the last call, and when to ask it again after it did not: after a failure
 * every limiter of one connection leaves Redis alone for the retry interval, then one call tries it
 * again. So an outage costs one timeout per interval, not one per call.
 *
 * <p>Thread-safe.
 */
public final class Availability {
  private static final Logger log = LoggerFactory.getLogger(Availability.class);

  private final String redis;
  private final long retryNanos;
  private final LongSupplier nanoTime;
  private final AtomicBoolean up = new AtomicBoolean(true);
  private final AtomicLong nextTry = new AtomicLong();
  private volatile @Nullable RuntimeException lastFailure;

  /**
   * @param redis what to call Redis in messages, such as its URI
   * @param retryNanos how long to leave Redis alone after a failure
   * @param nanoTime the clock of that interval
   */
  public Availability(String redis, long retryNanos, LongSupplier nanoTime) {
    this.redis = redis;
    this.retryNanos = retryNanos;
    this.nanoTime = nanoTime;
  }

  /**
   * Whether this call should go to Redis: always while it answers; after a failure, only the first
   * call once the retry interval is over.
   */
  public boolean mayAsk() {
    if (up.get()) {
      return true;
    }
    long now = nanoTime.getAsLong();
    long next = nextTry.get();
    return now - next >= 0 && nextTry.compareAndSet(next, now + retryNanos);
  }

  /** Hears that Redis answered. */
  public void answered() {
    if (up.compareAndSet(false, true)) {
      log.info("batchfetch: {} answers again; quotas are shared again", redis);
    }
  }

  /** Hears that a call to Redis failed with {@code failure}. */
  public void failed(RuntimeException failure) {
    lastFailure = failure;
    nextTry.set(nanoTime.getAsLong() + retryNanos);
    if (up.compareAndSet(true, false)) {
      log.warn(
          "batchfetch: {} did not answer; asking it again every {} ms",
          redis,
          retryNanos / 1_000_000,
          failure);
    }
  }

  /** Whether Redis answered the last call made to it. */
  public boolean isUp() {
    return up.get();
  }

  /** The failure of the last call that failed, or null if none has. */
  public @Nullable RuntimeException lastFailure() {
    return lastFailure;
  }

  /** What to call Redis in messages. */
  public String redis() {
    return redis;
  }
}
