package dev.batchfetch.examples.cli;

import dev.batchfetch.Result;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Watches every attempt as it ends, from inside the fetcher's OkHttp client: what the command line
 * knows of a batch before {@code fetchAll} completes it whole. It keeps, per URL, whether its
 * latest attempt answered 2xx and when it ended, which gives an estimate of the progress (URLs
 * answered at least once, URLs whose latest attempt failed) and the order in which URLs finished.
 *
 * <p>It is a stand-in for a per-result callback, which the library does not have yet: an input that
 * is never sent (a malformed URL) is not seen; a URL that appears twice is counted once; a body
 * that fails after a 2xx is counted as answered. Its memory grows with the distinct URLs.
 * Thread-safe.
 */
final class Attempts implements Interceptor {
  private final ConcurrentHashMap<String, Ending> latest = new ConcurrentHashMap<>();
  private final AtomicInteger failing = new AtomicInteger();
  private final long origin = System.nanoTime();

  /** How the latest attempt of a URL ended, and when: nanoseconds since {@link #origin}. */
  private record Ending(boolean ok, long nanos) {}

  @Override
  public Response intercept(Chain chain) throws IOException {
    String url = chain.request().url().toString();
    Response response;
    try {
      response = chain.proceed(chain.request());
    } catch (IOException | RuntimeException e) {
      ended(url, false);
      throw e;
    }
    ended(url, response.isSuccessful());
    return response;
  }

  private void ended(String url, boolean ok) {
    Ending before = latest.put(url, new Ending(ok, System.nanoTime() - origin));
    boolean failedBefore = before != null && !before.ok();
    if (!ok && !failedBefore) {
      failing.incrementAndGet();
    } else if (ok && failedBefore) {
      failing.decrementAndGet();
    }
  }

  /** URLs that had at least one attempt end. */
  int answered() {
    return latest.size();
  }

  /** URLs whose latest attempt failed: an error status or no response. */
  int failing() {
    return failing.get();
  }

  /**
   * {@code results} sorted by the moment their last attempt ended; inputs never sent first, in
   * input order, since the fetcher finishes them at once.
   */
  List<Result> inCompletionOrder(List<Result> results) {
    return results.stream().sorted(Comparator.comparingLong(this::endedAt)).toList();
  }

  private long endedAt(Result result) {
    HttpUrl url = parse(result.url());
    Ending ending = url == null ? null : latest.get(url.toString());
    return ending == null ? Long.MIN_VALUE : ending.nanos();
  }

  private static @Nullable HttpUrl parse(@Nullable String url) {
    return url == null ? null : HttpUrl.parse(url);
  }
}
