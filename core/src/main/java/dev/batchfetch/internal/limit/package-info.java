/**
 * Rate-limit permits and concurrency slots: the fetcher's own even-spaced limiter ({@link
 * dev.batchfetch.internal.limit.GcraLimiter}), the adapter for a user's Resilience4j limiter
 * ({@link dev.batchfetch.internal.limit.UserLimiter}), and the one recipe for bulkheads. Not a
 * public API.
 */
@NullMarked
package dev.batchfetch.internal.limit;

import org.jspecify.annotations.NullMarked;
