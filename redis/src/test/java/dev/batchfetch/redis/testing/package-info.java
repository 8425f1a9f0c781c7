/**
 * Servers the Redis module's tests start, shared with the Flink module's through the test jar: a
 * real redis-server on loopback, and an HTTP server that records arrivals and can enforce a quota.
 */
@NullMarked
package dev.batchfetch.redis.testing;

import org.jspecify.annotations.NullMarked;
