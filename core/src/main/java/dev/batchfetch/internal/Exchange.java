package dev.batchfetch.internal;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import io.github.resilience4j.retry.Retry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * One input of a batch on its way to a result, over one or more attempts. Each attempt sends the
 * request, blocking ({@link #execute}) or asynchronously ({@link #enqueue}), reads and closes the
 * response, and reports to the {@link Listener} exactly once, when OkHttp is done with the call;
 * the listener decides whether to try again or to {@link #complete} the input's one result.
 */
final class Exchange implements Callback {
  private static final byte[] NO_BODY = new byte[0];

  /** Hears when each attempt's request left, and how each attempt ended. */
  interface Listener {
    void sent(Exchange exchange, long latenessNanos);

    void attemptEnded(Exchange exchange, Result attempt);
  }

  final Batch batch;
  final int index;
  final String url;
  final Request request;
  final Host host;
  final long sequence;
  final Retry.@Nullable AsyncContext<Result> retry;
  private final Listener listener;
  private final BodyReader bodies;
  private final AtomicBoolean completed = new AtomicBoolean();
  private volatile @Nullable Call call;
  private volatile @Nullable CancellationException cancelled;
  private final AtomicInteger attempts = new AtomicInteger();
  private final AtomicLong admissionWaitNanos = new AtomicLong();
  private volatile long firstStartNanos;
  private volatile long queuedAtNanos;

  // Set by the admission loop before each attempt: the limiters' busy periods and shifts at the
  // reservation of its permits, and the moment it was started.
  long hostPeriod;
  long hostShift;
  long globalPeriod;
  long globalShift;
  private volatile long plannedStartNanos;
  private final AtomicInteger sentAttempt = new AtomicInteger();

  Exchange(
      Batch batch,
      int index,
      Prepared.Ready prepared,
      Host host,
      long sequence,
      Retry.@Nullable AsyncContext<Result> retry,
      Listener listener,
      BodyReader bodies) {
    this.batch = batch;
    this.index = index;
    this.url = prepared.url();
    this.request = prepared.request();
    this.host = host;
    this.sequence = sequence;
    this.retry = retry;
    this.listener = listener;
    this.bodies = bodies;
  }

  /** Runs one attempt on the calling thread: the sequential and pool policies. */
  void execute(OkHttpClient client) {
    Call c = open(client);
    if (c == null) {
      return;
    }
    Result result;
    try (Response response = c.execute()) {
      result = read(response);
    } catch (IOException | RuntimeException e) {
      result = failure(e);
    }
    ended(result);
  }

  /** Hands one attempt to OkHttp's dispatcher: the async policy. */
  void enqueue(OkHttpClient client) {
    Call c = open(client);
    if (c != null) {
      c.enqueue(this);
    }
  }

  @Override
  public void onResponse(Call c, Response response) {
    Result result;
    try (response) {
      result = read(response);
    } catch (RuntimeException e) {
      result = failure(e);
    }
    ended(result);
  }

  @Override
  public void onFailure(Call c, IOException e) {
    ended(failure(e));
  }

  /** An attempt that went out ended: it is no longer in flight. */
  private void ended(Result attempt) {
    batch.tally.attemptEnded();
    listener.attemptEnded(this, attempt);
  }

  /** Notes the moment this attempt is started: how late its request leaves is measured from it. */
  void planned(long nanos) {
    plannedStartNanos = nanos;
  }

  /**
   * Notes that this attempt's request is leaving now, the first time OkHttp's network interceptor
   * sees it (not again for a redirect or OkHttp's own retry of a failed connection).
   */
  void leaving() {
    int attempt = attempts.get();
    if (sentAttempt.getAndSet(attempt) != attempt) {
      listener.sent(this, System.nanoTime() - plannedStartNanos);
    }
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

  /**
   * Ends this input now from any thread with a result of {@code kind}, or if null, {@code REJECTED}
   * if no attempt was sent, else {@code CANCELLED}; and cancels the call in flight, whose attempt
   * still reports when OkHttp lets go.
   */
  void cancel(CancellationException cause, @Nullable ErrorKind kind) {
    cancelled = cause;
    if (kind == null) {
      kind = attempts.get() == 0 ? ErrorKind.REJECTED : ErrorKind.CANCELLED;
    }
    complete(failed(kind, cause)); // first: the cancelled attempt must not end the input itself
    Call c = call;
    if (c != null) {
      c.cancel();
    }
  }

  /** A result for this input with no response: nothing was sent, or the attempt failed. */
  Result failed(ErrorKind kind, @Nullable Throwable cause) {
    return new Result(
        index, url, 0, Map.of(), NO_BODY, elapsed(), attempts.get(), admissionWait(), kind, cause);
  }

  /** {@code attempt} with another error kind, keeping its response. */
  Result withError(Result attempt, ErrorKind kind, @Nullable Throwable cause) {
    return new Result(
        index,
        url,
        attempt.status(),
        attempt.headers(),
        attempt.body(),
        attempt.elapsed(),
        attempt.attempts(),
        attempt.admissionWait(),
        kind,
        cause);
  }

  private @Nullable Call open(OkHttpClient client) {
    CancellationException cause = cancelled;
    if (cause != null) {
      listener.attemptEnded(this, failed(ErrorKind.CANCELLED, cause));
      return null;
    }
    Call c;
    try {
      c = client.newCall(request.newBuilder().tag(Exchange.class, this).build());
    } catch (RuntimeException e) {
      listener.attemptEnded(this, failed(ErrorKind.UNEXPECTED, e));
      return null;
    }
    long now = System.nanoTime();
    addAdmissionWait(now - queuedAtNanos);
    if (attempts.get() == 0) {
      firstStartNanos = now;
    }
    attempts.incrementAndGet();
    batch.tally.attemptStarted();
    call = c;
    if (cancelled != null) {
      c.cancel();
    }
    return c;
  }

  private Result read(Response response) {
    int status = response.code();
    Map<String, List<String>> headers = response.headers().toMultimap();
    byte[] body;
    ErrorKind error = status >= 200 && status < 300 ? null : ErrorKind.HTTP_STATUS;
    Exception bodyFailure = null;
    try {
      body = bodies.read(response, headers, index, url, batch.tally::received);
    } catch (IOException | RuntimeException e) {
      // The status and headers arrived; keep them with the failure of the body. A runtime
      // exception comes from the user's body handler.
      body = NO_BODY;
      error = Failures.classify(e, cancelled != null);
      bodyFailure = e;
    }
    return new Result(
        index,
        url,
        status,
        headers,
        body,
        elapsed(),
        attempts.get(),
        admissionWait(),
        error,
        bodyFailure);
  }

  private Result failure(Exception e) {
    // Only our own cancellation counts: OkHttp's call timeout also cancels the call.
    return failed(Failures.classify(e, cancelled != null), e);
  }

  private Duration elapsed() {
    return attempts.get() == 0
        ? Duration.ZERO
        : Duration.ofNanos(System.nanoTime() - firstStartNanos);
  }

  private Duration admissionWait() {
    return Duration.ofNanos(admissionWaitNanos.get());
  }

  @Override
  public String toString() {
    return "Exchange{" + url + " #" + index + ", attempts=" + attempts.get() + "}";
  }
}
