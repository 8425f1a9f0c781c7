package dev.batchfetch.examples.docs;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ErrorKind;
import dev.batchfetch.FetchRequest;
import dev.batchfetch.Result;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The snippets of {@code docs/getting-started.md}. Stateless. */
public final class GettingStarted {
  private GettingStarted() {}

  /** Fetches {@code urls}, prints each status and returns the results. */
  public static List<Result> firstFetch(List<String> urls) {
    // [START firstFetch]
    List<Result> results;
    try (BatchFetcher fetcher = BatchFetcher.async(16)) {
      results = fetcher.fetchAll(urls).join(); // one result per URL, in the same order
    }
    for (Result result : results) {
      System.out.println(result.index() + " " + result.url() + " -> " + result.status());
    }
    // [END firstFetch]
    return results;
  }

  // [START describe]
  static String describe(Result result) {
    ErrorKind error = result.error();
    if (error == null) { // the same as result.isSuccess(): a 2xx, body read completely
      return result.url() + ": " + result.text();
    }
    return switch (error) {
      case HTTP_STATUS -> result.url() + " answered " + result.status(); // body and headers kept
      case CONNECT, TIMEOUT, IO ->
          result.url() + " failed " + result.attempts() + " times: " + result.exception();
      case RATE_LIMITED -> result.url() + " must wait: its server asked for a long pause";
      case INVALID_URL, INVALID_REQUEST -> "input " + result.index() + " is wrong: " + result.url();
      case CANCELLED, REJECTED -> result.url() + " was not finished: the batch was stopped";
      default -> result.url() + " failed: " + error + " " + result.exception();
    };
  }

  // [END describe]

  /** Describes each result of {@code results} with {@link #describe}. */
  public static List<String> describeAll(List<Result> results) {
    return results.stream().map(GettingStarted::describe).toList();
  }

  /** Sends two requests that are not plain GETs to {@code base}, such as {@code http://host}. */
  public static List<Result> requests(String base) {
    // [START requests]
    List<FetchRequest> requests =
        List.of(
            FetchRequest.get(base + "/id/1").withHeader("Accept", "text/plain"),
            FetchRequest.of("POST", base + "/items")
                .withBody("{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8), "application/json"));
    List<Result> results;
    try (BatchFetcher fetcher = BatchFetcher.async(16)) {
      results = fetcher.fetchAllRequests(requests).join();
    }
    // [END requests]
    return results;
  }

  /** Runs two batches on one fetcher and returns the results of both. */
  public static List<List<Result>> twoBatches(List<String> today, List<String> yesterday) {
    // [START closing]
    try (BatchFetcher fetcher = BatchFetcher.async(32)) {
      CompletableFuture<List<Result>> first = fetcher.fetchAll(today);
      CompletableFuture<List<Result>> second = fetcher.fetchAll(yesterday); // after the first
      return List.of(first.join(), second.join());
    } // close(): threads stop and connections close; calls not finished end CANCELLED or REJECTED
    // [END closing]
  }
}
