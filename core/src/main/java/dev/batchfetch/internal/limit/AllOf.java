package dev.batchfetch.internal.limit;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Several limiters at one level, each its own schedule: a call waits for all of them, {@code 10/s}
 * and {@code 5,000/h} say, the way servers announce several windows. A permit is reserved of each;
 * it is due when the last of them is, and each of the others counts as used at that moment ({@link
 * Permit#usedAt}), so that the calls after it keep their interval behind it in every schedule.
 *
 * <p>Only for the fetcher's own limiters, which answer at once and never time out in practice
 * (their timeout is a day): if one gives no permit, the permits already reserved of the others are
 * not given back. Thread-safe, as its limiters are.
 */
final class AllOf implements Limiter {
  private final List<Limiter> limiters;

  AllOf(List<? extends Limiter> limiters) {
    this.limiters = List.copyOf(limiters);
  }

  @Override
  public @Nullable Permit reserve() {
    Permit[] permits = new Permit[limiters.size()];
    long wait = 0;
    for (int i = 0; i < permits.length; i++) {
      Permit permit = limiters.get(i).reserve();
      if (permit == null) {
        return null;
      }
      permits[i] = permit;
      wait = Math.max(wait, permit.waitNanos());
    }
    return new All(permits, wait);
  }

  /** The permits of every limiter, due at the latest of them. */
  private static final class All implements Permit {
    private final Permit[] permits;
    private final long waitNanos;

    All(Permit[] permits, long waitNanos) {
      this.permits = permits;
      this.waitNanos = waitNanos;
    }

    @Override
    public long waitNanos() {
      return waitNanos;
    }

    @Override
    public long shiftSinceReserved() {
      long shift = 0;
      for (Permit p : permits) {
        shift = Math.max(shift, p.shiftSinceReserved());
      }
      return shift;
    }

    @Override
    public void rebase() {
      for (Permit p : permits) {
        p.rebase();
      }
    }

    @Override
    public void usedAt(long startNanos) {
      for (Permit p : permits) {
        p.usedAt(startNanos);
      }
    }

    @Override
    public void leftLate(long latenessNanos) {
      for (Permit p : permits) {
        p.leftLate(latenessNanos);
      }
    }

    @Override
    public long departure(long readyNanos) {
      long at = readyNanos;
      for (Permit p : permits) {
        at = p.departure(at);
      }
      return at;
    }
  }

  @Override
  public boolean isRemote() {
    return false;
  }

  @Override
  public void drain() {
    limiters.forEach(Limiter::drain);
  }

  @Override
  public void holdUntil(long untilNanos) {
    for (Limiter limiter : limiters) {
      limiter.holdUntil(untilNanos);
    }
  }

  @Override
  public boolean isIdle() {
    return limiters.stream().allMatch(Limiter::isIdle);
  }

  @Override
  public String toString() {
    return "AllOf" + limiters;
  }
}
