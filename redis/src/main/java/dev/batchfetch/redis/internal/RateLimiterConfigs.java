package dev.batchfetch.redis.internal;

import dev.batchfetch.RateLimit;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;

/**
 * How the shared limiter, which spreads its permits evenly as the fetcher's own does, describes
 * itself to Resilience4j, whose configuration counts permits per window.
 */
public final class RateLimiterConfigs {
  private RateLimiterConfigs() {}

  /**
   * The nearest window-based description of {@code limit}: {@code burst + 1} permits per {@code
   * burst + 1} intervals (one per second when unlimited), and {@code timeout}.
   */
  public static RateLimiterConfig nearestWindow(RateLimit limit, Duration timeout) {
    long intervalNanos = limit.interval().toNanos();
    return RateLimiterConfig.custom()
        .limitForPeriod((int) Math.min(Integer.MAX_VALUE, limit.burst() + 1))
        .limitRefreshPeriod(
            limit.isUnlimited()
                ? Duration.ofSeconds(1)
                : Duration.ofNanos(Math.max(1, intervalNanos * (limit.burst() + 1))))
        .timeoutDuration(timeout)
        .writableStackTraceEnabled(false)
        .build();
  }
}
