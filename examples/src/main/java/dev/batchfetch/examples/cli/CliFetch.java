package dev.batchfetch.examples.cli;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.BatchSummary;
import dev.batchfetch.Result;
import dev.batchfetch.examples.cli.CliOptions.Order;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;

/**
 * The command line's one batch: the only place that talks to the fetcher. It streams the batch
 * ({@code fetchEach}): each result is written as soon as it completes in completion order, or as
 * soon as the ones before it are in for input order, and progress counts the results exactly.
 *
 * <p>Asked to {@link Stop}, it reads no more input and lets no more requests leave (a {@link Gate}
 * on the fetcher's client), gives the calls in flight a grace period to finish, then closes the
 * fetcher: the results that came in are handed out, those cut short are not.
 *
 * <p>Not thread-safe: one batch, from one thread; {@link #progress} may be called from any.
 */
final class CliFetch implements AutoCloseable {
  /** Takes the results one by one, in the order asked for. */
  @FunctionalInterface
  interface Sink {
    void accept(Result result) throws IOException;
  }

  private final Gate gate = new Gate();
  private final BatchFetcher fetcher;
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicInteger failing = new AtomicInteger();

  /** A fetcher configured by {@code builder}, with a gate of its own on its client. */
  CliFetch(BatchFetcher.Builder builder) {
    this.fetcher = builder.client(new OkHttpClient.Builder().addInterceptor(gate).build()).build();
  }

  /**
   * Fetches {@code urls} and hands {@code sink} one result per URL, in input order or in the order
   * they finished, each as soon as that order allows; or, once {@code stop} is requested, hands it
   * the results that came in within {@code grace}, in order as far as they go.
   *
   * @return whether every URL got its result: false when stopped before
   * @throws IOException what {@code sink} throws; the batch then stops and the results after it are
   *     not handed out
   */
  boolean fetch(List<String> urls, Order order, Sink sink, Stop stop, Duration grace)
      throws IOException {
    InInputOrder inOrder = order == Order.INPUT ? new InInputOrder(sink) : null;
    Sink write = inOrder != null ? inOrder : sink;
    Iterable<String> input =
        () ->
            new Iterator<>() {
              private int next;

              @Override
              public boolean hasNext() {
                return next < urls.size() && !stop.isRequested();
              }

              @Override
              public String next() {
                if (next >= urls.size()) {
                  throw new NoSuchElementException();
                }
                return urls.get(next++);
              }
            };
    CompletableFuture<BatchSummary> batch =
        fetcher.fetchEach(
            input,
            result -> {
              if (stop.isRequested() && Gate.cutByStop(result)) {
                return; // not a final result: --resume fetches it again
              }
              done.incrementAndGet();
              if (!result.isSuccess()) {
                failing.incrementAndGet();
              }
              try {
                write.accept(result);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    awaitEither(batch, stop);
    if (!batch.isDone()) {
      gate.close();
      try {
        gate.awaitIdle(grace);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      fetcher.close(); // the batch completes: what was cut short is CANCELLED or REJECTED
    }
    try {
      var unused = batch.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException written) {
        throw written.getCause();
      }
      throw e;
    }
    if (inOrder != null) {
      inOrder.flush();
    }
    return done.get() == urls.size();
  }

  private static void awaitEither(CompletableFuture<?> batch, Stop stop) {
    try {
      CompletableFuture.anyOf(batch, stop.whenRequested()).get();
    } catch (ExecutionException e) {
      // the batch failed: join() says how
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop.request();
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
    private final Map<Integer, Result> early = new TreeMap<>();
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

    /** Writes what it holds, in input order, past the results that never came. */
    void flush() throws IOException {
      for (Result held : early.values()) {
        sink.accept(held);
      }
      early.clear();
    }
  }
}
