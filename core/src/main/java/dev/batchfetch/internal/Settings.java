package dev.batchfetch.internal;

import dev.batchfetch.BodyHandling;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.HostLimits;
import dev.batchfetch.Progress;
import dev.batchfetch.RateLimit;
import dev.batchfetch.RetryPolicy;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The checked, immutable configuration of one fetcher, as its builder leaves it.
 *
 * @param rateLimiter the user's limiter, in place of {@code rateLimit}, or null
 * @param hostRateLimiters the user's limiter for a host key, or null for none
 * @param maxConcurrent the global bulkhead's size, already capped by the policy's width
 * @param hostOverrides limits by host name or {@code name:port}, keys in lower case
 * @param maxPending how many inputs may wait in host queues ahead of the calls in flight
 * @param connectTimeout null keeps the base client's
 * @param client the user's client to derive from, or null for a fresh one
 * @param maxBodySize the most body bytes read per response
 * @param batchTimeout each batch's deadline from its submission, or null for none
 * @param progressListener hears each running batch's progress, or null
 */
public record Settings(
    ExecutionPolicy policy,
    RateLimit rateLimit,
    @Nullable RateLimiter rateLimiter,
    @Nullable Function<String, ? extends @Nullable RateLimiter> hostRateLimiters,
    int maxConcurrent,
    HostLimits perHost,
    Map<String, HostLimits> hostOverrides,
    RetryPolicy retry,
    Duration maxRetryAfter,
    boolean adaptToServerQuota,
    int maxPending,
    @Nullable Duration connectTimeout,
    @Nullable Duration readTimeout,
    @Nullable Duration writeTimeout,
    @Nullable Duration callTimeout,
    Map<String, String> defaultHeaders,
    @Nullable OkHttpClient client,
    BodyHandling bodyHandling,
    long maxBodySize,
    @Nullable Duration batchTimeout,
    @Nullable Consumer<? super Progress> progressListener,
    Duration progressInterval) {

  public Settings {
    hostOverrides = Map.copyOf(hostOverrides);
    defaultHeaders = Map.copyOf(defaultHeaders);
  }
}
