package dev.batchfetch.internal;

import io.github.resilience4j.ratelimiter.RateLimiter;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's Resilience4j {@link RateLimiter}, a quota shared through Redis for example: asked for
 * permits from the fetcher's quota threads, never from the admission loop, since an answer may take
 * a network round trip.
 */
final class RemoteLimiter implements Limiter {
  private static final Logger log = LoggerFactory.getLogger(RemoteLimiter.class);

  private final RateLimiter limiter;
  private final Executor quotaThreads;

  RemoteLimiter(RateLimiter limiter, Executor quotaThreads) {
    this.limiter = limiter;
    this.quotaThreads = quotaThreads;
  }

  @Override
  public long reservePermission() {
    return limiter.reservePermission();
  }

  /** Drains on a quota thread: the caller is an attempt's thread, which should not wait on I/O. */
  @Override
  public void drainPermissions() {
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
  public boolean isRemote() {
    return true;
  }

  @Override
  public String toString() {
    return limiter.getName();
  }
}
