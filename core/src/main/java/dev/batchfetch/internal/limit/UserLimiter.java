package dev.batchfetch.internal.limit;

import io.github.resilience4j.ratelimiter.RateLimiter;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's Resilience4j {@link RateLimiter} (a quota shared through Redis, say) as a {@link
 * Limiter}: asked for permits with {@link RateLimiter#reservePermission()} off the admission loop,
 * since an answer may take a network round trip. Its schedule is its own: the fetcher's hold and
 * lateness adjustments do not reach it.
 */
public final class UserLimiter implements Limiter {
  private static final Logger log = LoggerFactory.getLogger(UserLimiter.class);

  private final RateLimiter limiter;
  private final Executor quotaThreads;

  /**
   * @param quotaThreads where {@link #drain()} asks the limiter, off the caller's thread
   */
  public UserLimiter(RateLimiter limiter, Executor quotaThreads) {
    this.limiter = limiter;
    this.quotaThreads = quotaThreads;
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

  /** Blocks for the user's limiter's answer; call it off the admission loop. */
  @Override
  public @Nullable Permit reserve() {
    long wait = limiter.reservePermission();
    return wait < 0 ? null : Permit.after(wait);
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
