package dev.batchfetch.examples.docs;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.Result;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;

/** The snippets of {@code docs/troubleshooting.md}. Stateless. */
public final class Troubleshooting {
  private Troubleshooting() {}

  /** Fetches {@code urls} with every call bounded in time. */
  public static List<Result> withTimeouts(List<String> urls) {
    // [START timeouts]
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .connectTimeout(Duration.ofSeconds(2))
            .readTimeout(Duration.ofSeconds(5)) // between two reads, not for the whole body
            .callTimeout(Duration.ofSeconds(15)) // the whole call; waiting for a permit excluded
            .build()) {
      results = fetcher.fetchAll(urls).join(); // a call too slow becomes ErrorKind.TIMEOUT
    }
    // [END timeouts]
    return results;
  }

  /** Fetches {@code urls} with a fetcher derived from an application's own client. */
  public static List<Result> withOwnClient(List<String> urls, String token) {
    // [START client]
    OkHttpClient shared = // the application's client, with its interceptors, TLS and proxy
        new OkHttpClient.Builder()
            .addInterceptor(
                chain ->
                    chain.proceed(
                        chain.request().newBuilder().header("Authorization", token).build()))
            .build();
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder().client(shared).policy(ExecutionPolicy.async(64)).build()) {
      results = fetcher.fetchAll(urls).join(); // closing the fetcher leaves `shared` untouched
    }
    // [END client]
    return results;
  }
}
