package dev.batchfetch.examples.docs;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import java.util.List;

/** The example of {@code README.md}. Stateless. */
public final class ReadmeExample {
  private ReadmeExample() {}

  /** Fetches {@code urls} in one line, then again within a quota; returns the second results. */
  public static List<Result> fetch(List<String> urls) {
    // [START readme]
    // A one-off batch, in one line:
    List<Result> results = BatchFetcher.async(64).fetchAll(urls).join();

    // A fetcher kept for a server that allows 300 calls a minute, at most 16 at once:
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .policy(ExecutionPolicy.async(64))
            .rateLimit(RateLimit.perMinute(300))
            .maxConcurrent(16)
            .build()) {
      results = fetcher.fetchAll(urls).join();
    }
    // [END readme]
    return results;
  }
}
