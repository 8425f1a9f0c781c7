/**
 * Servers the Redis and Flink modules' tests start: a real redis-server on loopback, and an HTTP
 * server that records arrivals and can enforce a quota. In the never-published batchfetch-testing
 * module.
 */
@NullMarked
package dev.batchfetch.redis.testing;

import org.jspecify.annotations.NullMarked;
