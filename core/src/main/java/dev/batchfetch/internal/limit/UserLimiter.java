package dev.batchfetch.internal.limit;

import dev.batchfetch.RateLimit;
import dev.batchfetch.internal.time.Ticker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's Resilience4j {@link RateLimiter} (a quota shared through Redis, say) as a {@link
 * Limiter}: asked for permits with {@link RateLimiter#reservePermission()} off the admission loop,
 * since an answer may take a network round trip. Its schedule is its own: the fetcher's hold and
 * lateness adjustments do not reach it. But this process's requests pass a {@link DepartureGate} at
 * the rate the limiter describes, so that calls held up on their way out (a cold JVM's first
 * connections, say) do not reach the server as one bunch.
 */
public final class UserLimiter implements Limiter {
  private static final Logger log = LoggerFactory.getLogger(UserLimiter.class);

  /**
   * How late a request may leave after its permit was due and still use it: the jitter allowance a
   * shared quota keeps by default (batchfetch-redis keeps 100 ms of its burst back for it).
   */
  private static final long LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final RateLimiter limiter;
  private final Executor quotaThreads;
  private final Ticker ticker;

  /**
   * The gate for the rate the limiter last described. A limiter's rate may change after it was
   * built (a Flink task manager's share grows as its subtasks open, a user calls {@code
   * changeLimitForPeriod}): a gate kept from the first description would hold requests at a rate
   * that no longer holds, a day apart for a limiter that had no share yet.
   */
  private volatile @Nullable Gate gate;

  /**
   * @param quotaThreads where {@link #drain()} asks the limiter, off the caller's thread
   */
  public UserLimiter(RateLimiter limiter, Executor quotaThreads, Ticker ticker) {
    this.limiter = limiter;
    this.quotaThreads = quotaThreads;
    this.ticker = ticker;
  }

  /** A departure gate and the description it was built from. */
  private record Gate(int permits, long periodNanos, @Nullable DepartureGate gate) {}

  /** The gate for the rate the limiter describes now; null if it describes none. */
  private @Nullable DepartureGate departures() {
    RateLimiterConfig config;
    try {
      config = limiter.getRateLimiterConfig();
    } catch (RuntimeException e) {
      return null; // a limiter of the user's that cannot describe itself has no departure gate
    }
    int permits = config.getLimitForPeriod();
    long periodNanos = config.getLimitRefreshPeriod().toNanos();
    Gate current = gate;
    if (current != null && current.permits() == permits && current.periodNanos() == periodNanos) {
      return current.gate();
    }
    RateLimit rate = rateOf(permits, config.getLimitRefreshPeriod());
    DepartureGate fresh = rate == null ? null : new DepartureGate(rate, ticker.nanoTime());
    gate = new Gate(permits, periodNanos, fresh);
    return fresh;
  }

  /**
   * The rate the limiter describes: {@code limitForPeriod} per {@code limitRefreshPeriod}, a
   * window's worth less one as its burst; null if its configuration says nothing a gate can keep.
   */
  static @Nullable RateLimit rateOf(int permits, Duration period) {
    try {
      return RateLimit.of(permits, period).withBurst(permits - 1L);
    } catch (RuntimeException e) {
      return null; // a description no rate limit can take has no departure gate
    }
  }

  /**
   * A limiter for a host whose user's limiter could not be made ({@code limiterForHost} threw
   * {@code cause}): asking it for a permit fails, so the host's inputs end as {@code
   * QUOTA_UNAVAILABLE}, unsent.
   */
  public static Limiter failed(String host, Throwable cause) {
    return new Limiter() {
      @Override
      public @Nullable Permit reserve() {
        throw new IllegalStateException(
            "the rate limiter of " + host + " could not be made", cause);
      }

      @Override
      public boolean isRemote() {
        return true; // asked on a quota thread, where a failure ends the input
      }

      @Override
      public void drain() {}

      @Override
      public void holdUntil(long untilNanos) {}

      @Override
      public boolean isIdle() {
        return true; // forgotten when idle: the user's function is asked again next time
      }
    };
  }

  /**
   * Blocks for the user's limiter's answer; call it off the admission loop.
   *
   * <p>A permit to be used at once is taken as due when it was asked for, not when the answer came:
   * the limiter may have counted it at any moment in between. The difference is a round trip for a
   * warm process; for a cold one, whose first answer waits for a connection to the store and for
   * class loading, hundreds of milliseconds, and the request must not be judged on time by them. A
   * permit that must wait is due when the answer says, counted from the answer.
   */
  @Override
  public @Nullable Permit reserve() {
    long asked = ticker.nanoTime();
    long wait = limiter.reservePermission();
    if (wait < 0) {
      return null;
    }
    return new Reserved(wait == 0 ? asked : ticker.nanoTime() + wait, wait);
  }

  /**
   * A permit of the user's limiter, due at {@code dueNanos}. A request that leaves much later than
   * that (a cold JVM's first calls wait for their connection) left the shared schedule behind: the
   * other processes went on using it. So the request takes a new permit as it leaves, and goes
   * where the shared schedule has room now, not in a bunch with the permits given since; if none
   * can be had at once (the store is slow or down), it goes with the one it has.
   */
  private final class Reserved implements Permit {
    private final long dueNanos;
    private final long waitNanos;

    Reserved(long dueNanos, long waitNanos) {
      this.dueNanos = dueNanos;
      this.waitNanos = waitNanos;
    }

    @Override
    public long waitNanos() {
      return waitNanos;
    }

    @Override
    public long departure(long readyNanos) {
      long at = readyNanos - dueNanos > LATE_NANOS ? retake(readyNanos) : readyNanos;
      DepartureGate departures = departures();
      return departures == null ? at : departures.admit(at);
    }
  }

  private long retake(long readyNanos) {
    long wait;
    try {
      wait = limiter.reservePermission();
    } catch (RuntimeException e) {
      log.debug("batchfetch: {} gave no new permit to a late request", limiter.getName(), e);
      return readyNanos;
    }
    return wait < 0 ? readyNanos : ticker.nanoTime() + wait;
  }

  @Override
  public boolean isRemote() {
    return true;
  }

  /** Drains on a quota thread: the caller is an attempt's thread, which should not wait on I/O. */
  @Override
  public void drain() {
    try {
      quotaThreads.execute(
          () -> {
            try {
              limiter.drainPermissions();
            } catch (Throwable e) { // an Error too: nothing escapes on the quota threads
              log.debug("batchfetch: {} could not drain its permits", limiter.getName(), e);
            }
          });
    } catch (RejectedExecutionException e) {
      // Closing.
    }
  }

  @Override
  public void holdUntil(long untilNanos) {}

  /** A user's limiter keeps its state itself: forgetting the adapter loses nothing. */
  @Override
  public boolean isIdle() {
    return true;
  }

  @Override
  public String toString() {
    return limiter.getName();
  }
}
