package dev.batchfetch.examples.cli;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.Result;
import dev.batchfetch.examples.cli.CliOptions.Order;
import java.io.IOException;
import java.util.List;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The command line's one batch: the only place that talks to the fetcher, so that moving to a
 * streaming entry point is a change here alone.
 *
 * <p>Today it runs {@code fetchAll} and hands out the results when the whole batch is done: in
 * input order, or sorted by the moment each finished ({@link Attempts}), which is completion order
 * written late. While the batch runs, progress is the estimate {@link Attempts} gives. With a
 * per-result callback in the library, results would be written as they finish, in completion order
 * or through a small reordering buffer for input order, and progress would count them exactly.
 *
 * <p>Not thread-safe: one batch, from one thread; {@link #progress} may be called from any.
 */
final class CliFetch implements AutoCloseable {
  /** Takes the results one by one, in the order asked for. */
  @FunctionalInterface
  interface Sink {
    void accept(Result result) throws IOException;
  }

  private final Attempts attempts = new Attempts();
  private final BatchFetcher fetcher;
  private volatile Progress.@Nullable Counts finished;

  /** A fetcher configured by {@code builder}, whose calls this watches. */
  CliFetch(BatchFetcher.Builder builder) {
    OkHttpClient watched = new OkHttpClient.Builder().addInterceptor(attempts).build();
    this.fetcher = builder.client(watched).build();
  }

  /**
   * Fetches {@code urls} and hands {@code sink} one result per URL, in input order or in the order
   * they finished.
   *
   * @throws IOException what {@code sink} throws; the results after it are not handed out
   */
  void fetch(List<String> urls, Order order, Sink sink) throws IOException {
    List<Result> results = fetcher.fetchAll(urls).join();
    int failed = (int) results.stream().filter(r -> !r.isSuccess()).count();
    finished = new Progress.Counts(results.size(), failed);
    List<Result> ordered =
        order == Order.COMPLETION ? attempts.inCompletionOrder(results) : results;
    for (Result result : ordered) {
      sink.accept(result);
    }
  }

  /** How far the batch of {@code total} inputs has come: exact once it is done, else estimated. */
  Progress.Counts progress(int total) {
    Progress.Counts done = finished;
    if (done != null) {
      return done;
    }
    int answered = Math.min(attempts.answered(), total);
    return new Progress.Counts(answered, Math.min(attempts.failing(), answered));
  }

  /** Closes the fetcher: its threads stop and its connections close. */
  @Override
  public void close() {
    fetcher.close();
  }
}
