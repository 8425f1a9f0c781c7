package dev.batchfetch.internal;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.FetchRequest;
import dev.batchfetch.Result;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * One batch a caller submitted: where its inputs come from, where its results go, and the future
 * the caller holds. {@link ListBatch} holds a list and completes a list; {@link StreamBatch} reads
 * an iterator lazily and hands each result on as it completes.
 *
 * <p>Inputs are handed out in order through {@link #next()} and {@link #claim(int)}; an index can
 * be claimed once, by the admission loop (to send it) or by {@link #stop} (to end it unsent), so
 * every input taken yields exactly one result.
 */
abstract class Batch {
  /** {@link #next()}: every input has been handed out, or the batch stopped. */
  static final int EXHAUSTED = -1;

  /** {@link #next()}: not now; the batch will wake the admission loop when it can take more. */
  static final int LATER = -2;

  private static final byte[] NO_BODY = new byte[0];

  final Tally tally;
  private final RequestFactory requests;
  private final Set<Exchange> active = ConcurrentHashMap.newKeySet();
  private volatile @Nullable CancellationException stopCause;
  private volatile @Nullable ErrorKind stopKind;

  /** The input at {@link #preparedIndex}, already prepared; touched by the admission loop only. */
  private @Nullable Prepared prepared;

  private int preparedIndex = -1;

  Batch(Tally tally, RequestFactory requests) {
    this.tally = tally;
    this.requests = requests;
  }

  /** Runs just before the future completes with the batch's results. */
  private volatile Runnable beforeCompletion = () -> {};

  void beforeCompletion(Runnable task) {
    beforeCompletion = task;
  }

  /** Tells the fetcher the batch is about to complete. */
  final void completing() {
    tally.ended();
    beforeCompletion.run();
  }

  /** The future the caller holds. */
  abstract CompletableFuture<?> future();

  /** Whether the caller's future is done: every result in, or cancelled. */
  final boolean isDone() {
    return future().isDone();
  }

  /** The next index to hand out, {@link #EXHAUSTED} or {@link #LATER}. Admission loop only. */
  abstract int next();

  /** The input at {@code index}, which {@link #next()} returned and nobody claimed yet. */
  abstract @Nullable Object input(int index);

  /**
   * Takes {@code index}, which {@link #next()} returned, for sending; false if {@link #stop} took
   * it meanwhile, or took it now and gave it its result.
   */
  abstract boolean claim(int index);

  /** Records the one result of {@code index}. Any thread. */
  final void complete(int index, Result result) {
    tally.finished(result);
    accept(index, result);
  }

  /** Takes the result of {@code index}, after it was counted. */
  abstract void accept(int index, Result result);

  /** Whether this batch's calls may start now; false while its results wait to be delivered. */
  boolean mayStart() {
    return true;
  }

  /** The input at {@code index} as a request; cached, since admission may ask again later. */
  final Prepared prepare(int index) {
    Prepared p = prepared;
    if (preparedIndex != index || p == null) {
      p = requests.prepare(index, input(index));
      prepared = p;
      preparedIndex = index;
    }
    return p;
  }

  /** Forgets the prepared input once it is claimed: the request lives in its exchange now. */
  final void claimed() {
    prepared = null;
    preparedIndex = -1;
    tally.submitted();
  }

  final void track(Exchange exchange) {
    active.add(exchange);
  }

  final void untrack(Exchange exchange) {
    active.remove(exchange);
  }

  /** Completes {@code index} with a result that has no response. */
  final void fail(int index, @Nullable String url, ErrorKind kind, @Nullable Throwable exception) {
    complete(
        index,
        new Result(
            index, url, 0, Map.of(), NO_BODY, Duration.ZERO, 0, Duration.ZERO, kind, exception));
  }

  /**
   * Ends this batch early: inputs taken but not sent become {@code REJECTED} results, calls in
   * flight are cancelled and become {@code CANCELLED} results. Safe from any thread, idempotent.
   */
  final void stop(String reason) {
    end(new CancellationException(reason), null);
  }

  /**
   * Ends this batch because its deadline passed: every input taken and not yet done becomes a
   * {@code TIMEOUT} result, in flight or not.
   */
  final void expire(Duration deadline) {
    end(new BatchTimeoutException(deadline), ErrorKind.TIMEOUT);
  }

  private void end(CancellationException cause, @Nullable ErrorKind kind) {
    synchronized (this) {
      if (stopCause == null) {
        stopKind = kind;
        stopCause = cause;
      }
    }
    endUnclaimed(cause, kind == null ? ErrorKind.REJECTED : kind);
    for (Exchange exchange : active) {
      exchange.cancel(cause, kind);
    }
    ended();
  }

  /** Whether the batch was stopped, expired or cancelled: what it still takes ends unsent. */
  final boolean isStopped() {
    return stopCause != null || isDone();
  }

  /**
   * Ends {@code exchange}, taken after the batch stopped, as {@link #stop} or {@link #expire} would
   * have ended it.
   */
  final void endLate(Exchange exchange) {
    exchange.cancel(lateCause(), stopKind);
  }

  /** Ends input {@code index}, taken after the batch stopped, unsent. */
  final void endLate(int index, @Nullable Object input) {
    ErrorKind kind = stopKind;
    fail(index, urlOf(input), kind != null ? kind : ErrorKind.REJECTED, lateCause());
  }

  /** Why the batch stopped; a caller's cancel of the future records no cause of its own. */
  private CancellationException lateCause() {
    CancellationException cause = stopCause;
    return cause != null ? cause : new CancellationException("batch cancelled");
  }

  /** Gives a result of {@code kind} to the inputs no exchange was made for; stops reading more. */
  abstract void endUnclaimed(CancellationException cause, ErrorKind kind);

  /** After {@link #end}: every input taken has its result, or will have it at once. */
  void ended() {}

  static @Nullable String urlOf(@Nullable Object input) {
    if (input instanceof String s) {
      return s;
    }
    return input instanceof FetchRequest r ? r.url() : null;
  }
}
