package dev.batchfetch.internal.limit;

import dev.batchfetch.RateLimit;
import dev.batchfetch.internal.time.Ticker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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

  private final RateLimiter limiter;
  private final Executor quotaThreads;
  private final @Nullable DepartureGate departures;

  /**
   * @param quotaThreads where {@link #drain()} asks the limiter, off the caller's thread
   */
  public UserLimiter(RateLimiter limiter, Executor quotaThreads, Ticker ticker) {
    this.limiter = limiter;
    this.quotaThreads = quotaThreads;
    RateLimit rate = rateOf(limiter);
    this.departures = rate == null ? null : new DepartureGate(rate, ticker.nanoTime());
  }

  /**
   * The rate the limiter describes: {@code limitForPeriod} per {@code limitRefreshPeriod}, a
   * window's worth less one as its burst; null if its configuration says nothing a gate can keep.
   */
  static @Nullable RateLimit rateOf(RateLimiter limiter) {
    try {
      RateLimiterConfig config = limiter.getRateLimiterConfig();
      int permits = config.getLimitForPeriod();
      return RateLimit.of(permits, config.getLimitRefreshPeriod()).withBurst(permits - 1L);
    } catch (RuntimeException e) {
      return null; // a limiter of the user's that cannot describe itself has no departure gate
    }
  }

  /** Blocks for the user's limiter's answer; call it off the admission loop. */
  @Override
  public @Nullable Permit reserve() {
    long wait = limiter.reservePermission();
    if (wait < 0) {
      return null;
    }
    DepartureGate gate = departures;
    return gate == null ? Permit.after(wait) : Permit.after(wait, gate);
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
            } catch (RuntimeException e) {
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
