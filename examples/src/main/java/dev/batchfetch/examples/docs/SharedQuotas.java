package dev.batchfetch.examples.docs;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.HostLimits;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.redis.RedisQuotaStore;
import dev.batchfetch.redis.RedisRateLimiters;
import java.time.Duration;
import java.util.List;

/** The snippets of {@code docs/redis.md}. Stateless. */
public final class SharedQuotas {
  private SharedQuotas() {}

  /** Fetches {@code urls} within a quota of 300 a minute that every instance shares in Redis. */
  public static List<Result> shared(String redisUri, List<String> urls) {
    // [START shared]
    List<Result> results;
    try (RedisRateLimiters redis =
            RedisRateLimiters.builder().uri(redisUri).build(); // "redis://redis.example:6379"
        BatchFetcher fetcher =
            BatchFetcher.builder()
                .policy(ExecutionPolicy.async(32))
                .rateLimiter(redis.limiter("github", RateLimit.perMinute(300).withBurst(10)))
                .build()) {
      results = fetcher.fetchAll(urls).join();
    }
    // [END shared]
    return results;
  }

  /** Fetches {@code urls} from many sites, each at most 2 a second over all instances. */
  public static List<Result> crawl(String redisUri, List<String> urls) {
    // [START hosts]
    List<Result> results;
    try (RedisRateLimiters redis = RedisRateLimiters.builder().uri(redisUri).build();
        BatchFetcher fetcher =
            BatchFetcher.builder()
                .policy(ExecutionPolicy.async(128))
                .perHost(HostLimits.of(RateLimit.unlimited(), 2)) // 2 at once, in this process
                .hostRateLimiters(redis.forHosts("crawl", RateLimit.perSecond(2))) // over all
                .build()) {
      results = fetcher.fetchAll(urls).join();
    }
    // [END hosts]
    return results;
  }

  /**
   * Fetches {@code urls} within a shared quota of 50 a second; while Redis does not answer, at a
   * quarter of it.
   */
  public static List<Result> fallback(String redisUri, List<String> urls) {
    // [START fallback]
    List<Result> results;
    try (RedisRateLimiters redis =
            RedisRateLimiters.builder()
                .uri(redisUri)
                .redisTimeout(Duration.ofMillis(200)) // slower than this counts as down
                .fallBackToLocalShare(4) // 4 instances: each takes 1/4 of a quota meanwhile
                .retryRedisAfter(Duration.ofSeconds(5)) // then one call tries Redis again
                .build();
        BatchFetcher fetcher =
            BatchFetcher.builder()
                .rateLimiter(redis.limiter("api", RateLimit.perSecond(50)))
                .build()) {
      results = fetcher.fetchAll(urls).join();
    }
    // [END fallback]
    return results;
  }

  /**
   * Fetches {@code urls} with no rate configured, sharing what quota discovery learns of each host
   * with every instance.
   */
  public static List<Result> learned(String redisUri, List<String> urls) {
    // [START learned]
    List<Result> results;
    try (RedisQuotaStore learned = RedisQuotaStore.builder().uri(redisUri).build();
        BatchFetcher fetcher =
            BatchFetcher.builder()
                .policy(ExecutionPolicy.async(32))
                .quotaStore(learned) // rates and pauses learned, shared with every instance
                .build()) {
      results = fetcher.fetchAll(urls).join();
    }
    // [END learned]
    return results;
  }
}
