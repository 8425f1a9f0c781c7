package dev.batchfetch.internal;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted HTTP exchange: sends the request, reads and closes the response, and records exactly
 * one {@link Result} for its input. Runs blocking ({@link #execute}) or asynchronously ({@link
 * #enqueue}); either way {@code onEnd} runs exactly once, when OkHttp is done with the call, so the
 * admission slot is held for as long as the call really is in flight.
 */
final class Exchange implements Callback {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);
  private static final byte[] NO_BODY = new byte[0];

  private final Batch batch;
  private final int index;
  private final String url;
  private final Request request;
  private final Runnable onEnd;
  private final AtomicBoolean completed = new AtomicBoolean();
  private volatile @Nullable Call call;
  private volatile @Nullable CancellationException cancelled;
  private volatile long startNanos;

  Exchange(Batch batch, int index, Prepared.Ready prepared, Runnable onEnd) {
    this.batch = batch;
    this.index = index;
    this.url = prepared.url();
    this.request = prepared.request();
    this.onEnd = onEnd;
  }

  /** Runs the exchange on the calling thread: the sequential and pool policies. */
  void execute(OkHttpClient client) {
    Call c = open(client);
    if (c == null) {
      return;
    }
    try (Response response = c.execute()) {
      complete(read(response));
    } catch (IOException | RuntimeException e) {
      complete(failure(e));
    } finally {
      end();
    }
  }

  /** Hands the exchange to OkHttp's dispatcher: the async policy. */
  void enqueue(OkHttpClient client) {
    Call c = open(client);
    if (c != null) {
      c.enqueue(this);
    }
  }

  @Override
  public void onResponse(Call c, Response response) {
    try (response) {
      complete(read(response));
    } catch (IOException | RuntimeException e) {
      complete(failure(e));
    } finally {
      end();
    }
  }

  @Override
  public void onFailure(Call c, IOException e) {
    try {
      complete(failure(e));
    } finally {
      end();
    }
  }

  /**
   * Cancels this exchange from any thread: its result becomes {@code CANCELLED} now, and the OkHttp
   * call, if it started, is cancelled; {@code onEnd} still runs when OkHttp lets go of the call.
   */
  void cancel(CancellationException cause) {
    cancelled = cause;
    Call c = call;
    if (c != null) {
      c.cancel();
    }
    complete(batchFailure(ErrorKind.CANCELLED, cause));
  }

  /** Ends an exchange that will never be started, for example when its executor rejected it. */
  void abandon(ErrorKind kind, Throwable cause) {
    try {
      complete(batchFailure(kind, cause));
    } finally {
      end();
    }
  }

  private @Nullable Call open(OkHttpClient client) {
    startNanos = System.nanoTime();
    CancellationException cause = cancelled;
    if (cause != null) {
      abandon(ErrorKind.CANCELLED, cause);
      return null;
    }
    Call c;
    try {
      c = client.newCall(request);
    } catch (RuntimeException e) {
      abandon(ErrorKind.UNEXPECTED, e);
      return null;
    }
    call = c;
    if (cancelled != null) {
      c.cancel();
    }
    return c;
  }

  private Result read(Response response) throws IOException {
    int status = response.code();
    Map<String, List<String>> headers = response.headers().toMultimap();
    byte[] body;
    try {
      body = response.body().bytes();
    } catch (IOException e) {
      // The status and headers arrived; keep them with the failure of the body.
      return new Result(
          index, url, status, headers, NO_BODY, elapsed(), Failures.classify(e, isCancelled()), e);
    }
    return new Result(
        index,
        url,
        status,
        headers,
        body,
        elapsed(),
        status >= 200 && status < 300 ? null : ErrorKind.HTTP_STATUS,
        null);
  }

  private Result failure(Exception e) {
    // Only our own cancellation counts: OkHttp's call timeout also cancels the call.
    ErrorKind kind = Failures.classify(e, isCancelled());
    return new Result(index, url, 0, Map.of(), NO_BODY, elapsed(), kind, e);
  }

  private Result batchFailure(ErrorKind kind, Throwable cause) {
    return new Result(index, url, 0, Map.of(), NO_BODY, elapsed(), kind, cause);
  }

  private boolean isCancelled() {
    return cancelled != null;
  }

  private Duration elapsed() {
    long start = startNanos;
    return start == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - start);
  }

  private void complete(Result result) {
    if (completed.compareAndSet(false, true)) {
      batch.complete(index, result);
    }
  }

  private void end() {
    batch.untrack(this);
    try {
      onEnd.run();
    } catch (RuntimeException e) {
      log.error("batchfetch: releasing the admission slot of {} failed", url, e);
    }
  }
}
