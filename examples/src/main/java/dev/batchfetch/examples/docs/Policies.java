package dev.batchfetch.examples.docs;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import java.util.List;

/** The snippets of {@code docs/policies.md}. Stateless. */
public final class Policies {
  private Policies() {}

  /** The three policies, in the order of the page. */
  public static List<ExecutionPolicy> all() {
    // [START policies]
    ExecutionPolicy oneAtATime = ExecutionPolicy.sequential();
    ExecutionPolicy sixteenThreads = ExecutionPolicy.pool(16);
    ExecutionPolicy sixtyFourInFlight = ExecutionPolicy.async(64);
    // [END policies]
    return List.of(oneAtATime, sixteenThreads, sixtyFourInFlight);
  }

  /** Fetches {@code urls} at most 20 a second, at most 8 at once. */
  public static List<Result> withinQuota(List<String> urls) {
    // [START quota]
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .policy(ExecutionPolicy.async(64)) // no thread waits for a permit
            .rateLimit(RateLimit.perSecond(20)) // one call every 50 ms, not 20 at once
            .maxConcurrent(8) // the server's limit on calls at once
            .build()) {
      results = fetcher.fetchAll(urls).join();
    }
    // [END quota]
    return results;
  }
}
