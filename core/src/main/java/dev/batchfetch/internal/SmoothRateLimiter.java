package dev.batchfetch.internal;

import dev.batchfetch.RateLimit;
import io.github.resilience4j.core.EventConsumer;
import io.github.resilience4j.core.EventProcessor;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.event.RateLimiterEvent;
import io.github.resilience4j.ratelimiter.event.RateLimiterOnFailureEvent;
import io.github.resilience4j.ratelimiter.event.RateLimiterOnSuccessEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A Resilience4j {@link RateLimiter} that enforces a {@link RateLimit} the way servers do: as a
 * leaky bucket, in the form of the generic cell rate algorithm (GCRA, the algorithm behind nginx's
 * {@code limit_req}).
 *
 * <p>One number of state, the theoretical arrival time {@code tat}: when the next call would start
 * if every call so far had kept to the steady rate. A call may start at {@code tat - tolerance},
 * and moves {@code tat} on by one interval. With no burst the tolerance is zero and calls start
 * exactly one interval apart however they arrive; Resilience4j's own limiter, which refills a
 * window at fixed cycle boundaries, lets two calls start almost together across a boundary, which a
 * server without burst refuses.
 *
 * <p>Of a burst of {@code b}, the tolerance keeps half an interval back ({@code (b - 1/2) x
 * interval}) for the network's jitter: in a steady stream the server's bucket then stays half a
 * call below its edge.
 *
 * <p>The server counts time from when each request <em>arrives</em>, the limiter from when it
 * <em>plans</em> to send it. A request that leaves late (a new connection, a TLS handshake, a busy
 * thread) anchors the server's bucket later than the limiter's, and a request that leaves on time
 * after it then looks early to the server. So the limiter hears when each request really left
 * ({@link #sent}) and shifts its schedule by the largest lateness seen since it was last idle: a
 * steady lateness shifts it once, never request after request. Starts already planned catch up by
 * comparing {@link #shift()} with the shift they were planned under.
 *
 * <p>Thread-safe: reserving a permit is one compare-and-set; {@link #sent} takes a lock. {@link
 * #reservePermission()} never blocks; only {@link #acquirePermission(int)}, which the fetcher never
 * calls, parks the calling thread.
 */
final class SmoothRateLimiter implements RateLimiter, Limiter {
  private final String name;
  private final RateLimit limit;
  private final long intervalNanos;
  private final long toleranceNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong tat;
  private final RateLimiterConfig config;
  private final Events events = new Events();
  private volatile long timeoutNanos;

  /** Counts the times a reservation found the limiter idle: each starts a busy period. */
  private final AtomicLong busyPeriods = new AtomicLong();

  /** The total shift applied to the schedule for late requests. */
  private final AtomicLong shift = new AtomicLong();

  // Guarded by this: the largest lateness seen in the busy period latenessPeriod.
  private long maxLateness;
  private long latenessPeriod;

  SmoothRateLimiter(String name, RateLimit limit, Duration timeout, LongSupplier nanoTime) {
    this(name, limit, timeout, nanoTime, nanoTime.getAsLong());
  }

  /** A limiter whose schedule starts at {@code tatNanos}: one that takes over from another. */
  SmoothRateLimiter(
      String name, RateLimit limit, Duration timeout, LongSupplier nanoTime, long tatNanos) {
    this.name = name;
    this.limit = limit;
    this.intervalNanos = limit.interval().toNanos();
    this.toleranceNanos = Math.max(0, limit.burst() * intervalNanos - intervalNanos / 2);
    this.nanoTime = nanoTime;
    this.tat = new AtomicLong(tatNanos);
    this.timeoutNanos = timeout.toNanos();
    this.config = RateLimiterConfigs.nearestWindow(limit, timeout);
  }

  SmoothRateLimiter(String name, RateLimit limit, Duration timeout) {
    this(name, limit, timeout, System::nanoTime);
  }

  @Override
  public long reservePermission() {
    return reservePermission(1);
  }

  /**
   * Reserves {@code permits} permits and returns how many nanoseconds the caller must wait before
   * using them, or -1, reserving nothing, if that wait would exceed the timeout.
   */
  @Override
  public long reservePermission(int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1, was " + permits);
    }
    if (intervalNanos == 0) {
      return 0;
    }
    long cost = intervalNanos * permits;
    while (true) {
      long now = nanoTime.getAsLong();
      long current = tat.get();
      long start = Math.max(now, current + cost - intervalNanos - toleranceNanos);
      long wait = start - now;
      if (wait > timeoutNanos) {
        if (events.hasConsumers()) {
          events.processEvent(new RateLimiterOnFailureEvent(name, permits));
        }
        return -1;
      }
      long next = Math.max(start, current) + cost;
      if (tat.compareAndSet(current, next)) {
        if (current - now <= 0) {
          busyPeriods.incrementAndGet();
        }
        if (events.hasConsumers()) {
          events.processEvent(new RateLimiterOnSuccessEvent(name, permits));
        }
        return wait;
      }
    }
  }

  @Override
  public boolean acquirePermission(int permits) {
    long wait = reservePermission(permits);
    if (wait < 0) {
      return false;
    }
    long deadline = nanoTime.getAsLong() + wait;
    for (long left = wait; left > 0; left = deadline - nanoTime.getAsLong()) {
      LockSupport.parkNanos(this, left);
      if (Thread.currentThread().isInterrupted()) {
        return false;
      }
    }
    return true;
  }

  /** Spends the whole burst: the next permit comes one interval after the last one handed out. */
  @Override
  public void drainPermissions() {
    long now = nanoTime.getAsLong();
    tat.accumulateAndGet(now + intervalNanos + toleranceNanos, Math::max);
  }

  /**
   * Hands out no permit before {@code untilNanos} (on this limiter's clock), and then only the
   * steady rate: a server's "retry after" applied to the limiter.
   */
  @Override
  public void holdUntil(long untilNanos) {
    if (intervalNanos > 0) {
      tat.accumulateAndGet(untilNanos + toleranceNanos, Math::max);
    }
  }

  /**
   * Pushes the schedule so that the permit just reserved counts as used at {@code startNanos}: a
   * call that waited for another limiter after this one's permit was due keeps its successors one
   * interval behind it.
   */
  @Override
  public void usedAt(long startNanos) {
    if (intervalNanos > 0) {
      tat.accumulateAndGet(startNanos + intervalNanos, Math::max);
    }
  }

  /** The busy period the last reservation belongs to; see {@link #sent}. */
  @Override
  public long busyPeriod() {
    return busyPeriods.get();
  }

  /** The total shift applied for late requests; a planned start is due that much later. */
  @Override
  public long shift() {
    return shift.get();
  }

  /**
   * Hears that a request of busy period {@code period} left {@code latenessNanos} after the moment
   * it was planned for, and shifts the schedule by however much that exceeds the largest lateness
   * already seen in the period.
   */
  @Override
  public synchronized void sent(long latenessNanos, long period) {
    if (intervalNanos == 0 || latenessNanos <= 0 || period < latenessPeriod) {
      return;
    }
    if (period > latenessPeriod) {
      latenessPeriod = period;
      maxLateness = 0;
    }
    long delta = latenessNanos - maxLateness;
    if (delta > 0) {
      maxLateness = latenessNanos;
      shift.addAndGet(delta);
      tat.addAndGet(delta);
    }
  }

  /** The rate this limiter enforces. */
  RateLimit rateLimit() {
    return limit;
  }

  /**
   * A limiter for {@code slower} that goes on from this one's schedule: no permit this one has
   * already promised for the future is handed out again.
   */
  SmoothRateLimiter slowedTo(RateLimit slower) {
    return new SmoothRateLimiter(
        name,
        slower,
        Duration.ofNanos(timeoutNanos),
        nanoTime,
        Math.max(tat.get() - toleranceNanos, nanoTime.getAsLong()));
  }

  /** Whether every permit handed out is in the past: a fresh limiter would behave the same. */
  @Override
  public boolean isIdle() {
    return tat.get() - nanoTime.getAsLong() <= 0;
  }

  @Override
  public void changeTimeoutDuration(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  /** Not supported: the rate of a fetcher is fixed when it is built. */
  @Override
  public void changeLimitForPeriod(int limitForPeriod) {
    throw new UnsupportedOperationException("the rate of " + name + " is fixed");
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public RateLimiterConfig getRateLimiterConfig() {
    return config;
  }

  @Override
  public Map<String, String> getTags() {
    return Map.of();
  }

  @Override
  public Metrics getMetrics() {
    return new Metrics() {
      @Override
      public int getNumberOfWaitingThreads() {
        return 0;
      }

      @Override
      public int getAvailablePermissions() {
        if (intervalNanos == 0) {
          return Integer.MAX_VALUE;
        }
        long ahead = tat.get() - nanoTime.getAsLong(); // how far the schedule runs ahead of now
        long available = (toleranceNanos + intervalNanos - Math.max(0, ahead)) / intervalNanos;
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, available));
      }
    };
  }

  @Override
  public EventPublisher getEventPublisher() {
    return events;
  }

  @Override
  public String toString() {
    return "SmoothRateLimiter{"
        + name
        + ", interval="
        + TimeUnit.NANOSECONDS.toMicros(intervalNanos)
        + "us, tolerance="
        + TimeUnit.NANOSECONDS.toMicros(toleranceNanos)
        + "us}";
  }

  private static final class Events extends EventProcessor<RateLimiterEvent>
      implements EventPublisher {
    @Override
    public EventPublisher onSuccess(EventConsumer<RateLimiterOnSuccessEvent> consumer) {
      registerConsumer(RateLimiterOnSuccessEvent.class.getName(), consumer);
      return this;
    }

    @Override
    public EventPublisher onFailure(EventConsumer<RateLimiterOnFailureEvent> consumer) {
      registerConsumer(RateLimiterOnFailureEvent.class.getName(), consumer);
      return this;
    }
  }
}
