package dev.batchfetch.internal.batch;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import dev.batchfetch.internal.events.Events;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * One batch a caller submitted: where its inputs come from, where its results go, and the future
 * the caller holds. {@link ListBatch} holds a list and completes a list; {@link StreamBatch} reads
 * an iterator lazily and hands each result on as it completes.
 *
 * <p>Inputs are handed out in order through {@link #next()} and {@link #claim(int)}; an index can
 * be claimed once, by the admission loop (to send it) or by {@link #stop} (to end it unsent), so
 * every input taken yields exactly one result. An input claimed for sending is {@link #track
 * tracked} until its result is in, so that a stop can end it.
 */
public abstract class Batch {
  /** {@link #next()}: every input has been handed out, or the batch stopped. */
  public static final int EXHAUSTED = -1;

  /** {@link #next()}: not now; the batch will wake the admission loop when it can take more. */
  public static final int LATER = -2;

  /** An input claimed for sending, not yet ended: what a stop must end. */
  public interface Ongoing {
    /**
     * Ends the input now with a result of {@code kind}, or if null, {@code REJECTED} if nothing was
     * sent and {@code CANCELLED} otherwise; and cancels any call in flight. Any thread.
     */
    void cancel(CancellationException cause, @Nullable ErrorKind kind);
  }

  private final Tally tally;
  private final RequestFactory.Kind inputs;
  private final Set<Ongoing> active = ConcurrentHashMap.newKeySet();
  private volatile @Nullable CancellationException stopCause;
  private volatile @Nullable ErrorKind stopKind;

  /** Runs just before the future completes with the batch's results. */
  private volatile Runnable beforeCompletion = () -> {};

  /** Hears each input's result; set before the batch is submitted. */
  private volatile Events events = Events.NONE;

  /** The {@link #callContext} of a batch submitted without one: runs a task at once. */
  public static final Executor NO_CONTEXT = Runnable::run;

  /** Runs the making of each call in the context of the thread that submitted the batch. */
  private volatile Executor callContext = NO_CONTEXT;

  Batch(Tally tally, RequestFactory.Kind inputs) {
    this.tally = tally;
    this.inputs = inputs;
  }

  /** The batch's running counts. */
  public final Tally tally() {
    return tally;
  }

  /** Runs {@code task} just before the future completes, on the completing thread. */
  public final void beforeCompletion(Runnable task) {
    beforeCompletion = task;
  }

  /**
   * Sets who hears each input's result, and the context (a trace) each call is made in, before the
   * batch is submitted.
   */
  public final void observe(Events events, Executor callContext) {
    this.events = events;
    this.callContext = callContext;
  }

  /** Who hears this batch's events. */
  public final Events events() {
    return events;
  }

  /** Runs a task in the context of the thread that submitted the batch: the making of a call. */
  public final Executor callContext() {
    return callContext;
  }

  /** Tells the fetcher the batch is about to complete. */
  final void completing() {
    tally.ended();
    beforeCompletion.run();
  }

  /** The future the caller holds. */
  public abstract CompletableFuture<?> future();

  /** Whether the caller's future is done: every result in, or cancelled. */
  public final boolean isDone() {
    return future().isDone();
  }

  /** The next index to hand out, {@link #EXHAUSTED} or {@link #LATER}. Admission loop only. */
  public abstract int next();

  /** The input at {@code index}, which {@link #next()} returned and nobody claimed yet. */
  public abstract @Nullable Object input(int index);

  /**
   * Takes {@code index}, which {@link #next()} returned, for sending; false if {@link #stop} took
   * it meanwhile, or took it now and gave it its result.
   */
  public abstract boolean claim(int index);

  /** {@code input}, the input at {@code index}, as a request, or why it cannot be one. */
  public final Prepared prepare(int index, @Nullable Object input) {
    return inputs.prepare(index, input);
  }

  /** Records the one result of {@code index}. Any thread. */
  public final void complete(int index, Result result) {
    tally.finished(result);
    events.inputEnded(tally.batch(), result);
    accept(index, result);
  }

  /** Takes the result of {@code index}, after it was counted. */
  abstract void accept(int index, Result result);

  /** Whether this batch's calls may start now; false while its results wait to be delivered. */
  public boolean mayStart() {
    return true;
  }

  /** Counts a claimed input: it is the batch's from now on. */
  final void claimed() {
    tally.submitted();
  }

  public final void track(Ongoing input) {
    active.add(input);
  }

  public final void untrack(Ongoing input) {
    active.remove(input);
  }

  /** Completes {@code index}, whose input is {@code input}, with a result that has no response. */
  final void fail(
      int index, @Nullable Object input, ErrorKind kind, @Nullable Throwable exception) {
    complete(
        index, Results.unsent(index, inputs.urlOf(input), inputs.tagOf(input), kind, exception));
  }

  /** Completes {@code index}, an input that cannot be sent, with a result that says why. */
  public final void fail(int index, Prepared.Invalid invalid) {
    complete(
        index,
        Results.unsent(index, invalid.url(), invalid.tag(), invalid.kind(), invalid.exception()));
  }

  /**
   * Ends this batch early: inputs taken but not sent become {@code REJECTED} results, calls in
   * flight are cancelled and become {@code CANCELLED} results. Safe from any thread, idempotent.
   */
  public final void stop(String reason) {
    end(new CancellationException(reason), null);
  }

  /**
   * Ends this batch because its deadline passed: every input taken and not yet done becomes a
   * {@code TIMEOUT} result, in flight or not.
   */
  public final void expire(Duration deadline) {
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
    for (Ongoing input : active) {
      input.cancel(cause, kind);
    }
    ended();
  }

  /** Whether the batch was stopped, expired or cancelled: what it still takes ends unsent. */
  public final boolean isStopped() {
    return stopCause != null || isDone();
  }

  /**
   * Ends {@code input}, taken after the batch stopped, as {@link #stop} or {@link #expire} would
   * have ended it.
   */
  public final void endLate(Ongoing input) {
    input.cancel(lateCause(), stopKind);
  }

  /** Ends input {@code index}, taken after the batch stopped, unsent. */
  final void endLate(int index, @Nullable Object input) {
    ErrorKind kind = stopKind;
    fail(index, input, kind != null ? kind : ErrorKind.REJECTED, lateCause());
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
}
