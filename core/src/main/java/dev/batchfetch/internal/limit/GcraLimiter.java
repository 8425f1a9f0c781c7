package dev.batchfetch.internal.limit;

import dev.batchfetch.RateLimit;
import dev.batchfetch.internal.time.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The fetcher's own limiter: it enforces a {@link RateLimit} the way servers do, as a leaky bucket,
 * in the form of the generic cell rate algorithm (GCRA, the algorithm behind nginx's {@code
 * limit_req}).
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
 * after it then looks early to the server. So each permit hears when its request really left
 * ({@link Permit#leftLate}) and the limiter shifts its schedule by the largest lateness seen since
 * it was last idle: a steady lateness shifts it once, never request after request. Starts already
 * planned catch up through {@link Permit#shiftSinceReserved()}, and calls already under way pass
 * its {@link DepartureGate} as they leave, so that a bunch of late ones is spaced again.
 *
 * <p>Thread-safe: reserving a permit is one compare-and-set; hearing of a late request takes a
 * lock. Nothing here blocks.
 */
public final class GcraLimiter implements Limiter {
  /** A rate and its burst, as nanoseconds: read once per reservation, replaced whole. */
  private record Rate(RateLimit limit, long intervalNanos, long toleranceNanos) {
    static Rate of(RateLimit limit) {
      long interval = limit.interval().toNanos();
      return new Rate(limit, interval, Math.max(0, limit.burst() * interval - interval / 2));
    }
  }

  private final String name;
  private volatile Rate rate;
  private final long timeoutNanos;
  private final Ticker ticker;
  private final AtomicLong tat;
  private final DepartureGate departures;

  /** Counts the times a reservation found the limiter idle: each starts a busy period. */
  private final AtomicLong busyPeriods = new AtomicLong();

  /** The total shift applied to the schedule for late requests. */
  private final AtomicLong shift = new AtomicLong();

  // Guarded by this: the largest lateness seen in the busy period latenessPeriod.
  private long maxLateness;
  private long latenessPeriod;

  /**
   * A limiter for {@code limit} whose permits may be reserved up to {@code timeout} ahead.
   *
   * @param name for diagnostics: the fetcher's name or a host's key
   */
  public GcraLimiter(String name, RateLimit limit, Duration timeout, Ticker ticker) {
    this(name, limit, timeout.toNanos(), ticker, ticker.nanoTime());
  }

  private GcraLimiter(
      String name, RateLimit limit, long timeoutNanos, Ticker ticker, long tatNanos) {
    this.name = name;
    this.rate = Rate.of(limit);
    this.timeoutNanos = timeoutNanos;
    this.ticker = ticker;
    this.tat = new AtomicLong(tatNanos);
    this.departures = new DepartureGate(limit, tatNanos);
  }

  @Override
  public @Nullable Permit reserve() {
    Rate r = rate;
    if (r.intervalNanos == 0) {
      return Permit.NOW;
    }
    while (true) {
      long now = ticker.nanoTime();
      long current = tat.get();
      long start = Math.max(now, current - r.toleranceNanos);
      long wait = start - now;
      if (wait > timeoutNanos) {
        return null;
      }
      if (tat.compareAndSet(current, Math.max(start, current) + r.intervalNanos)) {
        long period = current - now <= 0 ? busyPeriods.incrementAndGet() : busyPeriods.get();
        return new Reserved(wait, period, shift.get());
      }
    }
  }

  @Override
  public boolean isRemote() {
    return false;
  }

  /** Spends the whole burst: the next permit comes one interval after the last one handed out. */
  @Override
  public void drain() {
    Rate r = rate;
    long now = ticker.nanoTime();
    tat.accumulateAndGet(now + r.intervalNanos + r.toleranceNanos, Math::max);
  }

  @Override
  public void holdUntil(long untilNanos) {
    Rate r = rate;
    if (r.intervalNanos > 0) {
      tat.accumulateAndGet(untilNanos + r.toleranceNanos, Math::max);
    }
  }

  /** Whether every permit handed out is in the past: a fresh limiter would behave the same. */
  @Override
  public boolean isIdle() {
    return tat.get() - ticker.nanoTime() <= 0;
  }

  /** The rate this limiter enforces now. */
  public RateLimit rateLimit() {
    return rate.limit;
  }

  /**
   * From now on, enforces {@code limit}, slower or faster than before, going on from the schedule
   * as it stands: the next permit comes one interval of the new rate after the last one handed out
   * (the theoretical arrival time moves by the difference of the two intervals), so that no permit
   * already promised is handed out again, and a rate raised after a deep cut takes effect at the
   * next permit rather than after a schedule planned at the old one. A permit already reserved
   * keeps its time. The {@link DepartureGate} follows the same way. Thread-safe: changes of rate
   * are serialized; a reservation sees the old rate or the new one, never a mix.
   *
   * @throws NullPointerException if {@code limit} is null
   */
  public synchronized void follow(RateLimit limit) {
    Rate old = rate;
    if (old.limit.equals(limit)) {
      return;
    }
    Rate next = Rate.of(limit);
    long now = ticker.nanoTime();
    // The last permit handed out was due at tat - interval: the next is one new interval after it.
    // An idle limiter (tat in the past) has nothing promised: it starts afresh at the new rate.
    tat.getAndUpdate(
        t -> t - now > 0 ? Math.max(now, t - old.intervalNanos + next.intervalNanos) : t);
    rate = next;
    departures.follow(limit, now);
  }

  /**
   * Hears that a request of busy period {@code period} left {@code latenessNanos} after the moment
   * it was planned for, and shifts the schedule by however much that exceeds the largest lateness
   * already seen in the period.
   */
  private synchronized void sent(long latenessNanos, long period) {
    if (latenessNanos <= 0 || period < latenessPeriod) {
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

  @Override
  public String toString() {
    return "GcraLimiter{"
        + name
        + ", interval="
        + TimeUnit.NANOSECONDS.toMicros(rate.intervalNanos)
        + "us, tolerance="
        + TimeUnit.NANOSECONDS.toMicros(rate.toleranceNanos)
        + "us}";
  }

  /** A permit of this limiter, with the busy period and shift it was reserved in. */
  private final class Reserved implements Permit {
    private final long waitNanos;
    private final long period;
    private volatile long shiftAtReservation;

    Reserved(long waitNanos, long period, long shiftAtReservation) {
      this.waitNanos = waitNanos;
      this.period = period;
      this.shiftAtReservation = shiftAtReservation;
    }

    @Override
    public long waitNanos() {
      return waitNanos;
    }

    @Override
    public long shiftSinceReserved() {
      return shift.get() - shiftAtReservation;
    }

    @Override
    public void rebase() {
      shiftAtReservation = shift.get();
    }

    @Override
    public void usedAt(long startNanos) {
      tat.accumulateAndGet(startNanos + rate.intervalNanos, Math::max);
    }

    @Override
    public void leftLate(long latenessNanos) {
      sent(latenessNanos, period);
    }

    @Override
    public long departure(long readyNanos) {
      return departures.admit(readyNanos);
    }
  }
}
