package dev.batchfetch.examples.cli;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;

/**
 * Lets requests leave until the command line is asked to stop, then none: an interceptor of the
 * client the fetcher derives its own from. It counts the calls that passed it and are not done (the
 * response body not yet closed), so that a stop can give them a grace period to finish. The fetcher
 * closes a response only once its input has its result or its retry is planned, so when the gate is
 * idle, closing the fetcher loses no response that came in. Thread-safe.
 */
final class Gate implements Interceptor {
  /** Why an attempt that came to the gate after the stop was not sent. */
  static final class StoppedException extends IOException {
    private static final long serialVersionUID = 1L;

    StoppedException() {
      super("not sent: batchfetch-cli was stopped");
    }
  }

  private final Object lock = new Object();
  private boolean closed;
  private int inFlight;

  @Override
  public Response intercept(Chain chain) throws IOException {
    synchronized (lock) {
      if (closed) {
        throw new StoppedException();
      }
      inFlight++;
    }
    AtomicBoolean done = new AtomicBoolean();
    Response response;
    try {
      response = chain.proceed(chain.request());
    } catch (IOException | RuntimeException | Error e) {
      ended(done);
      throw e;
    }
    return response.newBuilder().body(new Counted(response.body(), done)).build();
  }

  /** Lets no more requests leave. */
  void close() {
    synchronized (lock) {
      closed = true;
    }
  }

  /** Waits until no call that passed the gate is in flight, or {@code grace} passed. */
  boolean awaitIdle(Duration grace) throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    synchronized (lock) {
      while (inFlight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /**
   * Whether {@code result} is no final result because the command line stopped: its call was cut
   * ({@link ErrorKind#CANCELLED}), never started ({@link ErrorKind#REJECTED}), or not sent.
   */
  static boolean cutByStop(Result result) {
    ErrorKind error = result.error();
    if (error == ErrorKind.CANCELLED || error == ErrorKind.REJECTED) {
      return true;
    }
    for (Throwable t = result.exception(); t != null; t = t.getCause()) {
      if (t instanceof StoppedException) {
        return true;
      }
    }
    return false;
  }

  private void ended(AtomicBoolean done) {
    if (done.compareAndSet(false, true)) {
      synchronized (lock) {
        inFlight--;
        lock.notifyAll();
      }
    }
  }

  /** A response body that tells the gate when it is closed: the call is over. */
  private final class Counted extends ResponseBody {
    private final ResponseBody body;
    private final AtomicBoolean done;

    Counted(ResponseBody body, AtomicBoolean done) {
      this.body = body;
      this.done = done;
    }

    @Override
    public @Nullable MediaType contentType() {
      return body.contentType();
    }

    @Override
    public long contentLength() {
      return body.contentLength();
    }

    @Override
    public BufferedSource source() {
      return body.source();
    }

    @Override
    public void close() {
      try {
        body.close();
      } finally {
        ended(done);
      }
    }
  }
}
