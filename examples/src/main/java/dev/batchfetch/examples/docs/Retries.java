package dev.batchfetch.examples.docs;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ErrorKind;
import dev.batchfetch.FetchRequest;
import dev.batchfetch.Result;
import dev.batchfetch.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** The snippets of {@code docs/retries.md}. Stateless. */
public final class Retries {
  private Retries() {}

  /** A fetcher with more patient retries than the default, and a shorter cap; the caller closes. */
  public static BatchFetcher patient() {
    // [START patient]
    RetryPolicy patient =
        RetryPolicy.defaults()
            .withMaxAttempts(5) // the first attempt and up to 4 retries
            .withBackoff(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(1)) // 1 s, 2 s, 4 s, 8 s
            .withJitter(0.2); // each wait drawn from ±20% around its value
    BatchFetcher fetcher =
        BatchFetcher.builder()
            .retry(patient)
            .maxRetryAfter(Duration.ofMinutes(2)) // a server asking for more: RATE_LIMITED
            .build();
    // [END patient]
    return fetcher;
  }

  /** Posts one order per id to {@code base}, retried like GETs: the server dedupes by key. */
  public static List<Result> orders(String base, List<String> orderIds) {
    // [START orders]
    List<FetchRequest> orders =
        orderIds.stream()
            .map(
                id ->
                    FetchRequest.of("POST", base + "/orders/" + id)
                        .withHeader("Idempotency-Key", "order-" + id) // done once per key
                        .withBody("{}".getBytes(StandardCharsets.UTF_8), "application/json"))
            .toList();
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .retry(RetryPolicy.defaults().withRetryNonIdempotent(true)) // POST and PATCH too
            .build()) {
      results = fetcher.fetchAllRequests(orders).join();
    }
    // [END orders]
    return results;
  }

  // [START report]
  static String report(Result result) {
    String url = result.url();
    String attempts = result.attempts() + " attempt(s)"; // 0 if it was never sent
    long waited = result.admissionWait().toMillis(); // for permits, slots and asked-for pauses
    ErrorKind error = result.error();
    if (error == null) {
      return url + ": ok after " + attempts + ", " + waited + " ms waiting to be admitted";
    }
    if (error == ErrorKind.RATE_LIMITED) { // the server asked for a wait past maxRetryAfter
      return url + ": rate limited after " + attempts + ", status " + result.status();
    }
    return url + ": " + error + ", status " + result.status() + ", after " + attempts;
  }

  // [END report]

  /** Describes each result of {@code results} with {@link #report}. */
  public static List<String> reportAll(List<Result> results) {
    return results.stream().map(Retries::report).toList();
  }
}
