/**
 * One quota for many processes: {@link dev.batchfetch.redis.RedisRateLimiters} makes Resilience4j
 * rate limiters whose permits come from token buckets in Redis (Bucket4j over Lettuce), for {@code
 * BatchFetcher.Builder.rateLimiter} and {@code hostRateLimiters}.
 *
 * <p>{@code dev.batchfetch.redis.internal} is not part of the API and may change in any release.
 */
@NullMarked
package dev.batchfetch.redis;

import org.jspecify.annotations.NullMarked;
