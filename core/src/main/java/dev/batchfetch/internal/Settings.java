package dev.batchfetch.internal;

import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.RateLimit;
import java.time.Duration;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The checked, immutable configuration of one fetcher, as its builder leaves it.
 *
 * @param maxConcurrent the bulkhead's size, already capped by the policy's width
 * @param connectTimeout null keeps the base client's
 * @param client the user's client to derive from, or null for a fresh one
 */
public record Settings(
    ExecutionPolicy policy,
    RateLimit rateLimit,
    int maxConcurrent,
    @Nullable Duration connectTimeout,
    @Nullable Duration readTimeout,
    @Nullable Duration writeTimeout,
    @Nullable Duration callTimeout,
    Map<String, String> defaultHeaders,
    @Nullable OkHttpClient client) {

  public Settings {
    defaultHeaders = Map.copyOf(defaultHeaders);
  }
}
