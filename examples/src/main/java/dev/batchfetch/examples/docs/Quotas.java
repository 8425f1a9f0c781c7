package dev.batchfetch.examples.docs;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.BatchSummary;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.HostLimits;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The snippets of {@code docs/quota.md}. Stateless. */
public final class Quotas {
  private Quotas() {}

  /** Fetches {@code urls} with nothing configured: each host's quota is learned. */
  public static List<Result> nothingConfigured(List<String> urls) {
    // [START nothingConfigured]
    List<Result> results = BatchFetcher.async(256).fetchAll(urls).join();
    // [END nothingConfigured]
    return results;
  }

  /**
   * Fetches {@code urls} with what discovery learned in view, and returns the learned rates, host
   * by host.
   */
  public static Map<String, Double> watched(List<String> urls) {
    // [START watched]
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .policy(ExecutionPolicy.async(256))
            .retry(RetryPolicy.defaults().withRateLimitBudget(Duration.ofMinutes(10)))
            .progressListener(
                p ->
                    System.err.printf(
                        "%d/%d, learned %s%n", p.finished(), p.total(), p.learnedRates()))
            .build()) {
      BatchSummary summary = fetcher.fetchEach(urls, result -> {}).join();
      return summary.learnedRates(); // {api.example.com:443=9.7}
    }
    // [END watched]
  }

  /** A fetcher that keeps two documented limits of one API, for all its calls. */
  public static BatchFetcher twoLimits() {
    // [START twoLimits]
    // "10 requests a second, and 5,000 an hour":
    BatchFetcher fetcher =
        BatchFetcher.builder()
            .rateLimit(RateLimit.perSecond(10), RateLimit.perHour(5_000).withBurst(4_999))
            .host(
                "api.example.com", // or for one host of several
                HostLimits.of(RateLimit.perSecond(10))
                    .and(RateLimit.perHour(5_000).withBurst(4_999)))
            .build();
    // [END twoLimits]
    return fetcher;
  }

  /** Fetches {@code urls} exactly as configured, with quota discovery off. */
  public static List<Result> discoveryOff(List<String> urls) {
    // [START discoveryOff]
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .rateLimit(RateLimit.perSecond(50).withBurst(10))
            .quotaDiscovery(false) // the rate above, nothing slower, and a 429 uses up an attempt
            .build()) {
      results = fetcher.fetchAll(urls).join();
    }
    // [END discoveryOff]
    return results;
  }

  /** The readings of the page's table, in its order. */
  public static List<RateLimit> readings() {
    // [START readings]
    RateLimit nginx = RateLimit.perSecond(50).withBurst(10); // limit_req rate=50r/s burst=10
    RateLimit bucket = RateLimit.perSecond(5).withBurst(19); // a bucket of 20, 5/s
    RateLimit github = RateLimit.perHour(5_000); // 5,000 requests an hour
    RateLimit window = RateLimit.perMinute(300); // 300 per calendar minute: no burst
    RateLimit slow = RateLimit.of(1, Duration.ofSeconds(2)); // one request every 2 seconds
    // [END readings]
    return List.of(nginx, bucket, github, window, slow);
  }

  /** Fetches {@code urls} at the quota of an nginx that allows 50 a second and bursts of 10. */
  public static List<Result> nginx(List<String> urls) {
    // [START nginx]
    // nginx.conf:  limit_req_zone $binary_remote_addr zone=api:10m rate=50r/s;
    //              limit_req zone=api burst=10 nodelay;
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .policy(ExecutionPolicy.async(32))
            .rateLimit(RateLimit.perSecond(50).withBurst(10))
            .build()) {
      results = fetcher.fetchAll(urls).join();
    }
    // [END nginx]
    return results;
  }

  /** Fetches {@code urls} from GitHub's REST API with {@code token}. */
  public static List<Result> github(List<String> urls, String token) {
    // [START github]
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .rateLimit(RateLimit.perHour(5_000)) // the primary limit of a token
            .maxConcurrent(100) // a secondary limit: at most 100 requests at once
            .defaultHeader("Authorization", "Bearer " + token)
            .maxRetryAfter(Duration.ofHours(1)) // wait for a spent hour to reset, not fail
            .build()) {
      results = fetcher.fetchAll(urls).join();
    }
    // [END github]
    return results;
  }

  /** Fetches {@code urls} at most 300 a minute, spread evenly. */
  public static List<Result> fixedWindow(List<String> urls) {
    // [START fixedWindow]
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .rateLimit(RateLimit.perMinute(300)) // one call every 200 ms; not withBurst(299)
            .build()) {
      results = fetcher.fetchAll(urls).join();
    }
    // [END fixedWindow]
    return results;
  }

  /** Fetches {@code urls} from many sites: each at most 2 a second and 2 at once. */
  public static List<Result> crawl(List<String> urls) {
    // [START crawl]
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .policy(ExecutionPolicy.async(256))
            .rateLimit(RateLimit.perSecond(200)) // all sites together: what we may send
            .perHost(HostLimits.of(RateLimit.perSecond(2), 2)) // each site: what it allows
            .build()) {
      results = fetcher.fetchAll(urls).join();
    }
    // [END crawl]
    return results;
  }

  /** Fetches {@code urls}, slowing down to any lower quota a server announces. */
  public static List<Result> announced(List<String> urls) {
    // [START announced]
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .perHost(HostLimits.of(RateLimit.perSecond(10), 4)) // our guess: an upper bound
            .adaptToServerQuota(true) // slower if a server announces less; never faster
            .build()) {
      results = fetcher.fetchAll(urls).join();
    }
    // [END announced]
    return results;
  }
}
