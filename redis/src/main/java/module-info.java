/**
 * batchfetch-redis: one quota for many processes, a Resilience4j {@code RateLimiter} kept in Redis.
 * The API is the one package {@code dev.batchfetch.redis}.
 *
 * <p>Resilience4j, Okio, Bucket4j and Lettuce are automatic modules, under the names their jars
 * declare (Automatic-Module-Name), which stay stable.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.batchfetch.redis {
  requires transitive dev.batchfetch;
  requires transitive io.github.resilience4j.ratelimiter;
  requires transitive lettuce.core; // RedisClient and StatefulRedisConnection in the builder
  requires io.github.bucket4j.core;
  requires io.github.bucket4j.lettuce;
  requires io.github.resilience4j.core;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports dev.batchfetch.redis;
}
