package dev.batchfetch.internal.batch;

import dev.batchfetch.BatchSummary;
import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import dev.batchfetch.internal.time.Ticker;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streamed batch: inputs read lazily from an iterator, each result handed to a {@link Sink} as it
 * completes, one at a time, on the fetcher's delivery threads; the future completes with a summary
 * once the iterator is exhausted and every result taken has been delivered.
 *
 * <p>Memory is bounded by two limits. At most {@code window} inputs are out at once: read from the
 * iterator and not yet delivered, whether waiting for admission, in flight or done. And once {@code
 * buffer} results wait for delivery (a consumer slower than the network), the batch's calls stop
 * starting ({@link #mayStart()}) until the consumer catches up: fetching slows to the consumer's
 * pace, and at most {@code buffer} plus the calls in flight hold a body.
 */
public final class StreamBatch extends Batch {
  private static final Logger log = LoggerFactory.getLogger(StreamBatch.class);

  /** Where results go: a consumer, or a subscriber with its demand. */
  public interface Sink {
    /** Whether the sink takes a result now; a subscriber without demand does not. */
    boolean ready();

    /** Takes one result. Called on one thread at a time. */
    void accept(Result result);
  }

  private final Iterator<?> inputs;
  private final Sink sink;
  private final int window;
  private final int buffer;
  private final Executor delivery;
  private final Runnable wake;
  private final CompletableFuture<BatchSummary> future = new CompletableFuture<>();

  /** Inputs claimed; the next index to claim. */
  private final AtomicInteger cursor = new AtomicInteger();

  /** Inputs read from the iterator: {@code cursor + 1} while one waits to be claimed. */
  private volatile int read;

  private volatile @Nullable Object peeked;
  private volatile boolean exhausted;
  private volatile @Nullable Throwable sourceFailure;

  /** Read (or being read) and not yet delivered. */
  private final AtomicInteger outstanding = new AtomicInteger();

  private final Queue<Result> results = new ConcurrentLinkedQueue<>();
  private final AtomicInteger undelivered = new AtomicInteger();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicBoolean finished = new AtomicBoolean();

  /**
   * @param wake tells the admission loop that the batch can take or start more
   */
  public StreamBatch(
      long id,
      long total,
      Iterator<?> inputs,
      Sink sink,
      int window,
      int buffer,
      RequestFactory.Kind kind,
      Ticker ticker,
      Executor delivery,
      Runnable wake) {
    super(new Tally(id, total, ticker), kind);
    this.inputs = inputs;
    this.sink = sink;
    this.window = window;
    this.buffer = buffer;
    this.delivery = delivery;
    this.wake = wake;
  }

  @Override
  public CompletableFuture<BatchSummary> future() {
    return future;
  }

  /** Makes the sink ready again (a subscriber's demand grew): delivers what waits. */
  public void resume() {
    deliverLater();
  }

  @Override
  public int next() {
    int index = cursor.get();
    if (read > index) {
      return index; // read before, not claimed yet
    }
    // The input counts before it is read, and before exhausted is checked: a stop() meanwhile
    // cannot finish the batch under it.
    if (outstanding.incrementAndGet() > window) {
      unread();
      return LATER;
    }
    if (exhausted) {
      unread();
      return EXHAUSTED;
    }
    try {
      if (!inputs.hasNext()) {
        exhausted = true;
        unread();
        return EXHAUSTED;
      }
      if (index == Integer.MAX_VALUE) {
        throw new IllegalStateException("a streamed batch takes at most 2^31 - 1 inputs");
      }
      peeked = inputs.next();
      read = index + 1;
      return index;
    } catch (RuntimeException e) {
      log.warn("batchfetch: the input of batch {} failed; no more is read from it", this, e);
      sourceFailure = e;
      exhausted = true;
      unread();
      return EXHAUSTED;
    }
  }

  /** Takes back the count of an input that was not read after all. */
  private void unread() {
    outstanding.decrementAndGet();
    finishIfDone();
  }

  @Override
  public @Nullable Object input(int index) {
    return peeked;
  }

  @Override
  public boolean claim(int index) {
    if (read <= index || !cursor.compareAndSet(index, index + 1)) {
      return false;
    }
    Object input = peeked;
    peeked = null;
    claimed();
    if (isStopped()) { // stopped while we read it: it ends unsent, like the inputs stop() found
      endLate(index, input);
      return false;
    }
    return true;
  }

  @Override
  void accept(int index, Result result) {
    results.add(result);
    undelivered.incrementAndGet();
    deliverLater();
  }

  @Override
  public boolean mayStart() {
    return undelivered.get() < buffer;
  }

  @Override
  void endUnclaimed(CancellationException cause, ErrorKind kind) {
    exhausted = true;
    int index = cursor.get();
    if (read > index && cursor.compareAndSet(index, index + 1)) {
      Object input = peeked;
      peeked = null;
      tally().submitted();
      fail(index, urlOf(input), kind, cause);
    }
  }

  @Override
  void ended() {
    finishIfDone();
  }

  private void deliverLater() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    try {
      delivery.execute(this::deliver);
    } catch (RejectedExecutionException e) {
      deliver(); // the fetcher is closing: deliver what is left here
    }
  }

  /** Hands the waiting results to the sink, one thread at a time, as long as it is ready. */
  private void deliver() {
    int missed = 1;
    do {
      int delivered = 0;
      while (sink.ready() || future.isDone()) {
        Result result = results.poll();
        if (result == null) {
          break;
        }
        undelivered.decrementAndGet();
        if (!future.isDone()) { // after a cancel or a failed sink, results are dropped
          try {
            sink.accept(result);
          } catch (Throwable e) {
            future.completeExceptionally(e); // the fetcher then stops the batch
          }
        }
        outstanding.decrementAndGet();
        delivered++;
      }
      if (delivered > 0) {
        if (undelivered.get() <= buffer / 2) { // not at each result: a stalled loop wakes in steps
          wake.run();
        }
        finishIfDone();
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void finishIfDone() {
    if (!exhausted || outstanding.get() != 0 || !finished.compareAndSet(false, true)) {
      return;
    }
    completing();
    Throwable failure = sourceFailure;
    if (failure != null) {
      future.completeExceptionally(failure);
    } else {
      future.complete(tally().summary());
    }
  }

  @Override
  public String toString() {
    return "stream batch " + tally().batch();
  }
}
