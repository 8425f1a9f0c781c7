package dev.batchfetch.examples.docs;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.HostLimits;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import java.util.List;

/** The snippets of {@code docs/hosts.md}. Stateless. */
public final class Hosts {
  private Hosts() {}

  /** Fetches {@code urls} under global limits, default host limits and two overrides. */
  public static List<Result> manyHosts(List<String> urls) {
    // [START hosts]
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .policy(ExecutionPolicy.async(128))
            .rateLimit(RateLimit.perSecond(100)) // all hosts together
            .maxConcurrent(64) // all hosts together
            .perHost(HostLimits.of(RateLimit.perSecond(2), 2)) // every other host
            .host("api.example.com", HostLimits.of(RateLimit.perSecond(20), 8)) // any port
            .host("api.example.com:8443", HostLimits.of(RateLimit.perSecond(5))) // this one
            .build()) {
      results = fetcher.fetchAll(urls).join();
    }
    // [END hosts]
    return results;
  }
}
