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
 * <p>The iterator is the user's code, and may be slow or block: it is read on a thread of its own
 * (the fetcher's input threads, one at a time, none while nothing is to be read), a little ahead of
 * the admission loop, which only takes what was read. So a source blocked in {@code next()} holds
 * up its own batch and nothing else: not the loop, not other batches, not the deadlines. A stop
 * does not wait for it either: the input being read when the batch stops is dropped when it comes.
 *
 * <p>Memory is bounded by two limits. At most {@code window} inputs are out at once: read from the
 * iterator and not yet delivered, whether waiting for admission, in flight or done. And once {@code
 * buffer} results wait for delivery (a consumer slower than the network), the batch's calls stop
 * starting ({@link #mayStart()}) until the consumer catches up: fetching slows to the consumer's
 * pace, and at most {@code buffer} plus the calls in flight hold a body.
 */
public final class StreamBatch extends Batch {
  private static final Logger log = LoggerFactory.getLogger(StreamBatch.class);

  /** How many inputs the reader keeps read ahead of the loop. */
  private static final int READ_AHEAD = 256;

  /** Where results go: a consumer, or a subscriber with its demand. */
  public interface Sink {
    /** Whether the sink takes a result now; a subscriber without demand does not. */
    boolean ready();

    /** Takes one result. Called on one thread at a time. */
    void accept(Result result);
  }

  /** An input read and not yet claimed. */
  private record Read(int index, @Nullable Object input) {}

  private final Iterator<?> inputs;
  private final Sink sink;
  private final int window;
  private final int buffer;
  private final Executor reader;
  private final Executor delivery;
  private final Runnable wake;
  private final CompletableFuture<BatchSummary> future = new CompletableFuture<>();

  /** Inputs read, in order, for the loop to claim; polled under {@link #readLock}. */
  private final Queue<Read> read = new ConcurrentLinkedQueue<>();

  private final Object readLock = new Object();
  private final AtomicInteger readCount = new AtomicInteger();

  /** Whether a reader task runs (or is about to): at most one at a time. */
  private final AtomicBoolean reading = new AtomicBoolean();

  /** Whether the reader is in the iterator, holding the count of the input it reads. */
  private final AtomicBoolean inRead = new AtomicBoolean();

  /** Whether the loop found nothing read and waits to be woken for more. */
  private volatile boolean loopWaiting;

  /** The index of the next input to read; written by the reader, one at a time. */
  private volatile int nextIndex;

  private volatile boolean exhausted;
  private volatile @Nullable Throwable sourceFailure;

  /** Read (or being read) and not yet delivered. */
  private final AtomicInteger outstanding = new AtomicInteger();

  private final Queue<Result> results = new ConcurrentLinkedQueue<>();
  private final AtomicInteger undelivered = new AtomicInteger();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicBoolean finished = new AtomicBoolean();

  /**
   * @param reader where the iterator is read, off the admission loop
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
      Executor reader,
      Executor delivery,
      Runnable wake) {
    super(new Tally(id, total, ticker), kind);
    this.inputs = inputs;
    this.sink = sink;
    this.window = window;
    this.buffer = buffer;
    this.reader = reader;
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
    Read head = read.peek();
    if (head != null) {
      return head.index();
    }
    loopWaiting = true; // then look again: the reader wakes the loop if it adds meanwhile
    head = read.peek();
    if (head != null) {
      loopWaiting = false;
      return head.index();
    }
    if (exhausted) {
      loopWaiting = false;
      head = read.peek();
      return head != null ? head.index() : EXHAUSTED;
    }
    startReading();
    return LATER;
  }

  @Override
  public @Nullable Object input(int index) {
    Read head = read.peek();
    return head != null && head.index() == index ? head.input() : null;
  }

  @Override
  public boolean claim(int index) {
    Read head;
    synchronized (readLock) {
      head = read.peek();
      if (head == null || head.index() != index) {
        return false;
      }
      read.poll();
      readCount.decrementAndGet();
    }
    claimed();
    if (isStopped()) { // stopped while we read it: it ends unsent, like the inputs stop() found
      endLate(index, head.input());
      return false;
    }
    if (readCount.get() <= READ_AHEAD / 2) {
      startReading(); // keep some read ahead, a reader's task reading many at a time
    }
    return true;
  }

  /** Has the reader go on, unless it runs, the input is exhausted or enough is read ahead. */
  private void startReading() {
    if (exhausted || readCount.get() >= READ_AHEAD || !reading.compareAndSet(false, true)) {
      return;
    }
    try {
      reader.execute(this::readAhead);
    } catch (RejectedExecutionException e) {
      reading.set(false); // the fetcher is closing: its stop ends this batch
    }
  }

  /** The reader's task: reads ahead until enough is read, the window is full or the input ends. */
  private void readAhead() {
    do {
      while (readCount.get() < READ_AHEAD && readOne()) {
        // one more read
      }
      reading.set(false);
    } while (!exhausted
        && readCount.get() < READ_AHEAD
        && outstanding.get() < window
        && reading.compareAndSet(false, true));
  }

  /** Reads one input; false if none was read (the window is full, or the input ended). */
  private boolean readOne() {
    // The input counts before it is read, and before exhausted is checked: a stop() meanwhile
    // cannot finish the batch under it.
    if (outstanding.incrementAndGet() > window) {
      unread();
      return false;
    }
    inRead.set(true);
    if (exhausted) {
      releaseRead();
      return false;
    }
    int index = nextIndex;
    Object input;
    try {
      if (!inputs.hasNext()) {
        exhausted = true;
        releaseRead();
        wakeLoop();
        return false;
      }
      if (index == Integer.MAX_VALUE) {
        throw new IllegalStateException("a streamed batch takes at most 2^31 - 1 inputs");
      }
      input = inputs.next();
    } catch (Throwable e) { // an Error too: the batch fails with it, after what was read before
      log.warn("batchfetch: the input of batch {} failed; no more is read from it", this, e);
      sourceFailure = e;
      exhausted = true;
      releaseRead();
      wakeLoop();
      return false;
    }
    if (!inRead.compareAndSet(true, false)) {
      return false; // the batch stopped while it was read: the stop took its count, it is dropped
    }
    nextIndex = index + 1;
    read.add(new Read(index, input));
    readCount.incrementAndGet();
    if (isStopped()) { // stopped as it was added: the stop may not have seen it
      endRead();
      return false;
    }
    wakeLoop();
    return true;
  }

  /** Gives back the count of the input being read, unless a stop took it already. */
  private void releaseRead() {
    if (inRead.compareAndSet(true, false)) {
      unread();
    }
  }

  private void wakeLoop() {
    if (loopWaiting) {
      loopWaiting = false;
      wake.run();
    }
  }

  /** Takes back the count of an input that was not read after all. */
  private void unread() {
    outstanding.decrementAndGet();
    finishIfDone();
  }

  /** Ends the inputs read and not claimed, as a stop ends them. */
  private void endRead() {
    while (true) {
      Read head;
      synchronized (readLock) {
        head = read.poll();
        if (head == null) {
          return;
        }
        readCount.decrementAndGet();
      }
      claimed();
      endLate(head.index(), head.input());
    }
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
    endRead();
    releaseRead(); // an input being read is dropped when it comes: the batch does not wait for it
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
