package dev.batchfetch.internal.limit;

import dev.batchfetch.RateLimit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last guard of a rate: when requests really leave, none leaves sooner after the others than
 * the rate and its burst allow, whatever held them up on their way out.
 *
 * <p>A limiter plans each call's start; the server counts its arrival. Calls that were planned well
 * apart can still leave together: a cold JVM's first calls wait for the same connection, class
 * loading and TLS set-up, a loaded machine runs none of the fetcher's threads for a while, and then
 * they all go at once, a burst the server refuses. The limiter's schedule learns from late requests
 * ({@link Permit#leftLate}), but the calls already under way are past it. So each request, as it
 * leaves, passes this gate: the same generic cell rate algorithm as the limiter, counted on
 * departures instead of plans. Requests that leave as planned never wait here; a bunch is spaced
 * out again on the calls' own threads, which they hold in any case.
 *
 * <p>Thread-safe: one compare-and-set per departure.
 */
public final class DepartureGate {
  /** The interval and the tolerance, replaced whole when the rate changes. */
  private record Spacing(long intervalNanos, long toleranceNanos) {
    static Spacing of(RateLimit limit) {
      long interval = limit.interval().toNanos();
      return new Spacing(interval, Math.max(0, limit.burst() * interval - interval / 2));
    }
  }

  private volatile Spacing spacing;
  private final AtomicLong tat;

  /** A gate for {@code limit}: its rate, and its burst less half an interval for the jitter. */
  public DepartureGate(RateLimit limit, long nowNanos) {
    this.spacing = Spacing.of(limit);
    this.tat = new AtomicLong(nowNanos);
  }

  /**
   * Admits a request that is ready to leave at {@code readyNanos}: the moment it may leave, not
   * before {@code readyNanos}, which it then takes.
   */
  public long admit(long readyNanos) {
    Spacing s = spacing;
    if (s.intervalNanos == 0) {
      return readyNanos;
    }
    while (true) {
      long current = tat.get();
      long at = Math.max(readyNanos, current - s.toleranceNanos);
      if (tat.compareAndSet(current, Math.max(at, current) + s.intervalNanos)) {
        return at;
      }
    }
  }

  /**
   * Spaces departures at {@code limit} from now on, as its limiter does ({@link
   * GcraLimiter#follow}): the next departure one new interval after the last one admitted.
   */
  synchronized void follow(RateLimit limit, long nowNanos) {
    Spacing old = spacing;
    Spacing next = Spacing.of(limit);
    tat.getAndUpdate(
        t -> t - nowNanos > 0 ? Math.max(nowNanos, t - old.intervalNanos + next.intervalNanos) : t);
    spacing = next;
  }
}
