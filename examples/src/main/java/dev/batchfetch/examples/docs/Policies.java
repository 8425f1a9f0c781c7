package dev.batchfetch.examples.docs;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import java.util.List;
import java.util.concurrent.Executor;

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

  /**
   * Fetches {@code urls} with blocking calls on {@code executor}, at most 256 at once: on Java 21
   * and later, {@code Executors.newVirtualThreadPerTaskExecutor()}. The executor stays the
   * caller's: the fetcher never shuts it down.
   */
  public static List<Result> onYourExecutor(Executor executor, List<String> urls) {
    // [START executor]
    // executor: Executors.newVirtualThreadPerTaskExecutor() on Java 21 and later, or yours
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder().policy(ExecutionPolicy.pool(executor, 256)).build()) {
      results = fetcher.fetchAll(urls).join();
    } // closes the fetcher, not the executor
    // [END executor]
    return results;
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
