package dev.batchfetch.internal.admission;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import dev.batchfetch.internal.batch.Batch;
import dev.batchfetch.internal.batch.RequestTag;
import dev.batchfetch.internal.batch.Results;
import dev.batchfetch.internal.events.Events;
import dev.batchfetch.internal.limit.Permit;
import dev.batchfetch.internal.quota.QuotaSignal;
import dev.batchfetch.internal.time.Ticker;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import okhttp3.Request;
import org.jspecify.annotations.Nullable;

/**
 * One input of a batch on its way to its one result, over one or more attempts. Admission queues
 * it, reserves its permits and hands each attempt to the {@link Transport}, which reports how the
 * attempt ended through {@link #ended}; the {@link Listener} then decides whether to try again or
 * to {@link #complete} it. The only way an input with an exchange ends: its own {@link #complete},
 * reached by admission's decision, by {@link #cancel} (its batch stopped), or by a failure to send.
 *
 * <p>Thread-safe: attempts end on the transport's threads, cancellation comes from any thread; the
 * permits and the queue times are set by the admission loop before the attempt starts.
 */
public final class Exchange implements Batch.Ongoing {
  /** Hears how each attempt ended. */
  interface Listener {
    void attemptEnded(Exchange exchange, Result attempt, QuotaSignal signal);
  }

  final Batch batch;
  final Host host;
  final long sequence;
  final Retries.@Nullable Attempts retry;
  private final int index;
  private final String url;
  private final Request request;
  private final Listener listener;
  private final Ticker ticker;
  private final AtomicBoolean completed = new AtomicBoolean();
  private volatile @Nullable Runnable cancelCall;
  private volatile @Nullable CancellationException cancelled;
  private final AtomicInteger attempts = new AtomicInteger();
  private final AtomicLong admissionWaitNanos = new AtomicLong();
  private volatile long firstStartNanos;
  private volatile long queuedAtNanos;
  private volatile long plannedStartNanos;
  private final AtomicInteger sentAttempt = new AtomicInteger();
  private volatile @Nullable Thread departing;

  /** When the present attempt started, and the body bytes it received: for its event. */
  private volatile long attemptStartNanos;

  private final AtomicLong attemptBytes = new AtomicLong();

  /** The present attempt's permits, reserved by the admission loop. */
  volatile Permit hostPermit = Permit.NOW;

  volatile Permit globalPermit = Permit.NOW;

  Exchange(
      Batch batch,
      int index,
      String url,
      Request request,
      Host host,
      long sequence,
      Retries.@Nullable Attempts retry,
      Listener listener,
      Ticker ticker) {
    this.batch = batch;
    this.index = index;
    this.url = url;
    this.request = request;
    this.host = host;
    this.sequence = sequence;
    this.retry = retry;
    this.listener = listener;
    this.ticker = ticker;
    RequestTag tag = request.tag(RequestTag.class);
    if (tag != null) {
      tag.own(this);
    }
  }

  /** The request to send; the same for every attempt. */
  public Request request() {
    return request;
  }

  /** The input's position in its batch. */
  public int index() {
    return index;
  }

  /** Runs the making of this exchange's calls in the context of its batch's caller. */
  public Executor callContext() {
    return batch.callContext();
  }

  /** The URL as the user gave it. */
  public String url() {
    return url;
  }

  /** Why the input was cancelled, or null while it was not. */
  public @Nullable CancellationException cancelled() {
    return cancelled;
  }

  /**
   * The transport is sending an attempt, which {@code cancelCall} cancels: counts it. False if the
   * input was cancelled already: the attempt then ended unsent, and the transport drops it.
   */
  public boolean open(Runnable cancelCall) {
    CancellationException cause = cancelled;
    if (cause != null) {
      notSent(Answer.failed(ErrorKind.CANCELLED, cause));
      return false;
    }
    long now = ticker.nanoTime();
    long queuedNanos = now - queuedAtNanos;
    addAdmissionWait(queuedNanos);
    if (attempts.get() == 0) {
      firstStartNanos = now;
    }
    int attempt = attempts.incrementAndGet();
    batch.tally().attemptStarted();
    attemptStartNanos = now;
    attemptBytes.set(0);
    batch
        .events()
        .attemptStarted(batch.tally().batch(), index, url, host.key, attempt, queuedNanos);
    this.cancelCall = cancelCall;
    if (cancelled != null) {
      cancelCall.run();
    }
    return true;
  }

  /**
   * Notes that this attempt's request is ready to leave now, the first time the transport sees it
   * go out (not again for a follow-up): its permits learn how late it is, and their departure gates
   * say how long it must still wait so as not to reach the server in a bunch with others.
   *
   * @return the nanoseconds to wait before the request leaves; 0 when it may leave at once
   */
  public long leaving() {
    int attempt = attempts.get();
    if (sentAttempt.getAndSet(attempt) == attempt) {
      return 0;
    }
    long now = ticker.nanoTime();
    long lateness = now - plannedStartNanos;
    hostPermit.leftLate(lateness);
    globalPermit.leftLate(lateness);
    return globalPermit.departure(hostPermit.departure(now)) - now;
  }

  /**
   * Holds the calling thread, the one sending this attempt, for the wait {@link #leaving} asked.
   *
   * @throws InterruptedIOException if the input is cancelled or the thread interrupted meanwhile
   */
  public void awaitDeparture(long waitNanos) throws InterruptedIOException {
    long deadline = ticker.nanoTime() + waitNanos;
    departing = Thread.currentThread();
    try {
      for (long left = waitNanos; left > 0; left = deadline - ticker.nanoTime()) {
        if (cancelled != null || Thread.interrupted()) {
          throw new InterruptedIOException("canceled while waiting to leave");
        }
        LockSupport.parkNanos(this, left);
      }
    } finally {
      departing = null;
    }
  }

  /** Counts {@code bytes} of body received. */
  public void received(long bytes) {
    batch.tally().received(bytes);
    attemptBytes.addAndGet(bytes);
  }

  /** An attempt that {@link #open}ed ended so. */
  public void ended(Answer answer) {
    batch.tally().attemptEnded();
    Events events = batch.events();
    if (events.detailed()) {
      events.attemptEnded(
          batch.tally().batch(),
          index,
          url,
          host.key,
          attempts.get(),
          answer.status(),
          answer.error(),
          answer.exception(),
          ticker.nanoTime() - attemptStartNanos,
          attemptBytes.get());
    }
    listener.attemptEnded(this, resultOf(answer), answer.signal());
  }

  /** An attempt ended before it was {@link #open}ed: nothing was sent. */
  public void notSent(Answer answer) {
    listener.attemptEnded(this, resultOf(answer), answer.signal());
  }

  /** Notes the moment this attempt is started: how late its request leaves is measured from it. */
  void planned(long nanos) {
    plannedStartNanos = nanos;
  }

  /** Notes that this input joined its host's queue: its wait for admission starts. */
  void queued(long nanos) {
    queuedAtNanos = nanos;
  }

  /** Adds a wait the server asked for (Retry-After) to this input's admission wait. */
  void addAdmissionWait(long nanos) {
    if (nanos > 0) {
      admissionWaitNanos.addAndGet(nanos);
    }
  }

  boolean isDone() {
    return completed.get();
  }

  /** Records this input's one result; later calls do nothing. */
  void complete(Result result) {
    if (completed.compareAndSet(false, true)) {
      batch.untrack(this);
      batch.complete(index, result);
    }
  }

  @Override
  public void cancel(CancellationException cause, @Nullable ErrorKind kind) {
    cancelled = cause;
    if (kind == null) {
      kind = attempts.get() == 0 ? ErrorKind.REJECTED : ErrorKind.CANCELLED;
    }
    complete(failed(kind, cause)); // first: the cancelled attempt must not end the input itself
    Runnable c = cancelCall;
    if (c != null) {
      c.run();
    }
    Thread waiting = departing;
    if (waiting != null) {
      LockSupport.unpark(waiting);
    }
  }

  /** A result for this input with no response: nothing was sent, or the attempt failed. */
  Result failed(ErrorKind kind, @Nullable Throwable cause) {
    return Results.of(index, url)
        .timing(elapsed(), attempts.get(), admissionWait())
        .error(kind, cause)
        .build();
  }

  private Result resultOf(Answer answer) {
    return Results.of(index, url)
        .response(answer.status(), answer.headers(), answer.body())
        .timing(elapsed(), attempts.get(), admissionWait())
        .error(answer.error(), answer.exception())
        .build();
  }

  private Duration elapsed() {
    return attempts.get() == 0
        ? Duration.ZERO
        : Duration.ofNanos(ticker.nanoTime() - firstStartNanos);
  }

  private Duration admissionWait() {
    return Duration.ofNanos(admissionWaitNanos.get());
  }

  @Override
  public String toString() {
    return "Exchange{" + url + " #" + index + ", attempts=" + attempts.get() + "}";
  }
}
