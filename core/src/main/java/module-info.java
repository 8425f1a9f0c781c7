/**
 * batchfetch: fetch large batches of URLs as fast as the servers' quotas allow, and never faster.
 * The API is the one package {@code dev.batchfetch}; everything under {@code
 * dev.batchfetch.internal} stays inside this module.
 *
 * <p>Resilience4j, Okio, Bucket4j and Lettuce are automatic modules, under the names their jars
 * declare (Automatic-Module-Name), which stay stable.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.batchfetch {
  requires transitive okhttp3; // OkHttpClient in BatchFetcher.Builder.client
  requires transitive io.github.resilience4j.ratelimiter; // RateLimiter in Builder.rateLimiter
  requires io.github.resilience4j.bulkhead;
  requires io.github.resilience4j.core;
  requires okio;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports dev.batchfetch;
}
