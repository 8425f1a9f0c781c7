/**
 * The parts of batchfetch-redis that are not its API: Bucket4j's configuration and reservations,
 * the Redis connection, and the record of whether Redis answers. May change in any release.
 */
@NullMarked
package dev.batchfetch.redis.internal;

import org.jspecify.annotations.NullMarked;
