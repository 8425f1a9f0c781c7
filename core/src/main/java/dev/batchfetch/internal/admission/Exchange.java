package dev.batchfetch.internal.admission;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import dev.batchfetch.internal.batch.Batch;
import dev.batchfetch.internal.batch.RequestTag;
import dev.batchfetch.internal.batch.Results;
import dev.batchfetch.internal.events.Events;
import dev.batchfetch.internal.limit.Permit;
import dev.batchfetch.internal.quota.QuotaSignal;
import dev.batchfetch.internal.time.Scheduler;
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
 * attempt ended through {@link #ended}; the {@link Listener} then decides whether to try again, to
 * follow a redirect (the exchange then goes on with another {@link #request()}, perhaps to another
 * host) or to {@link #complete} it. The only way an input with an exchange ends: its own {@link
 * #complete}, reached by admission's decision, by {@link #cancel} (its batch stopped), by its time
 * in flight running out, or by a failure to send.
 *
 * <p>Each attempt ends exactly once, whichever comes first: the transport's report, or the input's
 * timer ({@code inputTimeout}), which ends the input as {@code TIMEOUT} on the fetcher's own clock
 * even if the call's thread is stuck where OkHttp cannot interrupt it (a DNS lookup); a report that
 * comes after is dropped. Either way the listener hears once, and gives the attempt's slots back.
 *
 * <p>Thread-safe: attempts end on the transport's threads or the scheduler's, cancellation comes
 * from any thread; the permits, the queue times and a redirect's request and host are set by the
 * admission loop before the attempt starts.
 */
public final class Exchange implements Batch.Ongoing {
  /** Hears how each attempt ended, exactly once per attempt. */
  interface Listener {
    /**
     * Hears {@code attempt}, its quota {@code signal}, and {@code followUp}, the request a redirect
     * asks for next, or null.
     */
    void attemptEnded(
        Exchange exchange, Result attempt, QuotaSignal signal, @Nullable Request followUp);
  }

  /**
   * How many redirects one input follows, as OkHttp and Chrome do; the 21st request is the last.
   */
  static final int MAX_FOLLOW_UPS = 20;

  // The state of the present attempt.
  private static final int IDLE = 0; // none: queued, or waiting for a retry
  private static final int PLANNED = 1; // admission is handing it to the transport
  private static final int OPEN = 2; // the transport is sending it

  final Batch batch;
  final long sequence;
  final Retries.@Nullable Attempts retry;
  private final int index;
  private final String url;
  private final Listener listener;
  private final Ticker ticker;
  private final @Nullable Object usersTag;
  private final Scheduler scheduler;
  private final long inputTimeoutNanos;
  private final AtomicBoolean completed = new AtomicBoolean();
  private final AtomicInteger state = new AtomicInteger(IDLE);

  /** The host whose queue, slots and permits the next attempt takes; a redirect may change it. */
  volatile Host host;

  private volatile Request request;
  private volatile boolean sentThisAttempt;
  private volatile long openedAtNanos;

  // Written when an attempt ends or by the loop, read by the loop or the next attempt: the
  // hand-offs
  // between them (the state, the loop's mailbox, the transport's executor) order the accesses.
  private int followUps;
  private long usedNanos;
  private volatile Scheduler.Cancellable timer = Scheduler.Cancellable.NONE;
  private volatile @Nullable Runnable cancelCall;
  private volatile @Nullable CancellationException cancelled;
  private final AtomicInteger attempts = new AtomicInteger();
  private final AtomicLong admissionWaitNanos = new AtomicLong();
  private volatile long firstStartNanos;
  private volatile long queuedAtNanos;
  private volatile long plannedStartNanos;
  private volatile long sentNanos;
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
      Ticker ticker,
      Scheduler scheduler,
      long inputTimeoutNanos) {
    this.batch = batch;
    this.index = index;
    this.url = url;
    this.request = request;
    this.host = host;
    this.sequence = sequence;
    this.retry = retry;
    this.listener = listener;
    this.ticker = ticker;
    this.scheduler = scheduler;
    this.inputTimeoutNanos = inputTimeoutNanos;
    RequestTag tag = request.tag(RequestTag.class);
    this.usersTag = tag == null ? null : tag.users();
    if (tag != null) {
      tag.own(this);
    }
  }

  /** The request to send: the input's, or the last redirect's. */
  public Request request() {
    return request;
  }

  /**
   * Whether {@link #request()} is a redirect's, made from the request as the client's application
   * interceptors left it: it is sent without passing them again, as OkHttp sends its follow-ups.
   */
  public boolean isFollowUp() {
    return followUps > 0;
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
    if (!state.compareAndSet(PLANNED, OPEN)) {
      return false; // its time ran out first: the input has its result, and the slots are back
    }
    long now = ticker.nanoTime();
    openedAtNanos = now;
    sentThisAttempt = false;
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
    if (cancelled != null || isDone()) { // cancelled, or timed out, while it opened
      cancelCall.run();
    }
    return true;
  }

  /**
   * Notes that this attempt's request is ready to leave now, the first time the transport sees it
   * go out: its permits learn how late it is, and their departure gates say how long it must still
   * wait so as not to reach the server in a bunch with others.
   *
   * @return the nanoseconds to wait before the request leaves; 0 when it may leave at once
   */
  public long leaving() {
    if (sentThisAttempt) {
      // A follow-up OkHttp sends on its own (an authenticator's answer to a 401 or 407, a 421 on a
      // coalesced connection): counted as an attempt, so that the result's attempts are the
      // requests the server saw.
      attempts.incrementAndGet();
      return 0;
    }
    sentThisAttempt = true;
    long now = ticker.nanoTime();
    long lateness = now - plannedStartNanos;
    hostPermit.leftLate(lateness);
    globalPermit.leftLate(lateness);
    long departure = globalPermit.departure(hostPermit.departure(now));
    sentNanos = departure;
    return departure - now;
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

  /** An attempt that {@link #open}ed ended so; dropped if the input's time ran out first. */
  public void ended(Answer answer) {
    if (!state.compareAndSet(OPEN, IDLE)) {
      return;
    }
    timer.cancel();
    usedNanos += ticker.nanoTime() - openedAtNanos;
    batch.tally().attemptEnded();
    attemptEndedEvent(answer.status(), answer.error(), answer.exception());
    listener.attemptEnded(this, resultOf(answer), answer.signal(), answer.followUp());
  }

  /** Tells the listeners that the attempt which {@link #open}ed ended so. */
  private void attemptEndedEvent(
      int status, @Nullable ErrorKind error, @Nullable Throwable exception) {
    Events events = batch.events();
    if (events.detailed()) {
      events.attemptEnded(
          batch.tally().batch(),
          index,
          url,
          host.key,
          attempts.get(),
          status,
          error,
          exception,
          ticker.nanoTime() - attemptStartNanos,
          attemptBytes.get());
    }
  }

  /** An attempt ended before it was {@link #open}ed: nothing was sent. */
  public void notSent(Answer answer) {
    if (!state.compareAndSet(PLANNED, IDLE)) {
      return;
    }
    timer.cancel();
    listener.attemptEnded(this, resultOf(answer), answer.signal(), null);
  }

  /**
   * Admission starts an attempt now, {@code nanos} on the ticker: how late its request leaves is
   * measured from it, and the input's timer runs for what is left of its time in flight. False,
   * starting nothing, if none is left: the caller ends the input with {@link #timedOut()}.
   */
  boolean planned(long nanos) {
    long left = inputTimeoutNanos - usedNanos;
    if (inputTimeoutNanos > 0 && left <= 0) {
      return false;
    }
    plannedStartNanos = nanos;
    sentNanos = nanos;
    state.set(PLANNED);
    if (inputTimeoutNanos > 0) {
      timer = scheduler.schedule(left, this::expire);
    }
    return true;
  }

  /** The input's time in flight ran out: it ends now as {@code TIMEOUT}, its call cancelled. */
  private void expire() {
    int was;
    do {
      was = state.get();
      if (was == IDLE) {
        return; // the attempt ended just before
      }
    } while (!state.compareAndSet(was, IDLE));
    Result result = timedOut();
    if (was == OPEN) { // the call was sent: its attempt ends here, whatever its thread does later
      batch.tally().attemptEnded();
      attemptEndedEvent(0, result.error(), result.exception());
    }
    complete(result);
    Runnable c = cancelCall;
    if (was == OPEN && c != null) {
      c.run();
    }
    listener.attemptEnded(this, result, QuotaSignal.NONE, null); // gives the slots back
  }

  /** The result of an input whose time in flight ran out. */
  Result timedOut() {
    return failed(
        ErrorKind.TIMEOUT, new InputTimeoutException(Duration.ofNanos(inputTimeoutNanos)));
  }

  /** Whether a redirect may be followed: fewer than {@link #MAX_FOLLOW_UPS} were. */
  boolean mayFollow() {
    return followUps < MAX_FOLLOW_UPS;
  }

  /** Goes on with {@code next}, a redirect's request, to {@code nextHost}. Admission loop only. */
  void follow(Request next, Host nextHost) {
    followUps++;
    request = next;
    host = nextHost;
  }

  /** When this attempt's request left (or was planned to, if it never left), on the ticker. */
  long sentNanos() {
    return sentNanos;
  }

  /** When the input's first attempt started, on the ticker; now, before any. */
  long firstStartNanos() {
    return attempts.get() == 0 ? ticker.nanoTime() : firstStartNanos;
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

  /** Whether the input has its result. */
  public boolean isDone() {
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
    cancelled =
        cause; // its timer stays: if the call is stuck, the timer still gives the slots back
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
        .tag(usersTag)
        .timing(elapsed(), attempts.get(), admissionWait())
        .error(kind, cause)
        .build();
  }

  private Result resultOf(Answer answer) {
    return Results.of(index, url)
        .tag(usersTag)
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
