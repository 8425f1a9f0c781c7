package dev.batchfetch.examples.cli;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.Result;
import dev.batchfetch.examples.cli.CliOptions.Order;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The command line's one batch: the only place that talks to the fetcher. It streams the batch
 * ({@code fetchEach}): each result is written as soon as it completes in completion order, or as
 * soon as the ones before it are in for input order, and progress counts the results exactly.
 *
 * <p>Not thread-safe: one batch, from one thread; {@link #progress} may be called from any.
 */
final class CliFetch implements AutoCloseable {
  /** Takes the results one by one, in the order asked for. */
  @FunctionalInterface
  interface Sink {
    void accept(Result result) throws IOException;
  }

  private final BatchFetcher fetcher;
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicInteger failing = new AtomicInteger();

  /** A fetcher configured by {@code builder}. */
  CliFetch(BatchFetcher.Builder builder) {
    this.fetcher = builder.build();
  }

  /**
   * Fetches {@code urls} and hands {@code sink} one result per URL, in input order or in the order
   * they finished, each as soon as that order allows.
   *
   * @throws IOException what {@code sink} throws; the batch then stops and the results after it are
   *     not handed out
   */
  void fetch(List<String> urls, Order order, Sink sink) throws IOException {
    Sink write = order == Order.INPUT ? new InInputOrder(sink) : sink;
    try {
      var unused =
          fetcher
              .fetchEach(
                  urls,
                  result -> {
                    done.incrementAndGet();
                    if (!result.isSuccess()) {
                      failing.incrementAndGet();
                    }
                    try {
                      write.accept(result);
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  })
              .join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException written) {
        throw written.getCause();
      }
      throw e;
    }
  }

  /**
   * How far the batch has come: results in, how many of them are not a success, and the rates quota
   * discovery has learned.
   */
  Progress.Counts progress() {
    return new Progress.Counts(done.get(), failing.get(), fetcher.learnedRates());
  }

  /** The rates quota discovery has learned, calls per second by host, slowest first. */
  Map<String, Double> learnedRates() {
    return fetcher.learnedRates();
  }

  /** Closes the fetcher: its threads stop and its connections close. */
  @Override
  public void close() {
    fetcher.close();
  }

  /**
   * Holds back each result until those before it in the input are written. What it holds is the
   * results that overtook a slower one: at most the calls that complete while it is in flight.
   */
  private static final class InInputOrder implements Sink {
    private final Sink sink;
    private final Map<Integer, Result> early = new HashMap<>();
    private int next;

    InInputOrder(Sink sink) {
      this.sink = sink;
    }

    @Override
    public void accept(Result result) throws IOException {
      early.put(result.index(), result);
      for (Result due = early.remove(next); due != null; due = early.remove(next)) {
        sink.accept(due);
        next++;
      }
    }
  }
}
