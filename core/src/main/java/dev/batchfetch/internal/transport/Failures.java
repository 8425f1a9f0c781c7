package dev.batchfetch.internal.transport;

import dev.batchfetch.ErrorKind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/** Sorts the exceptions of an HTTP exchange into {@link ErrorKind}s. */
final class Failures {
  private Failures() {}

  /**
   * The kind of {@code failure}. A cancelled call fails with an {@code IOException("Canceled")} in
   * OkHttp, so cancellation is decided by the caller, who knows whether it cancelled.
   */
  static ErrorKind classify(Throwable failure, boolean cancelled) {
    if (cancelled) {
      return ErrorKind.CANCELLED;
    }
    Throwable cause = cause(failure);
    if (cause instanceof BodyTooLargeException) {
      return ErrorKind.BODY_TOO_LARGE;
    }
    if (cause instanceof InterruptedIOException) {
      // SocketTimeoutException (connect, read, write) and OkHttp's call timeout, which throws
      // InterruptedIOException("timeout"); OkHttp also reports a dispatcher that shut down this
      // way.
      return "executor rejected".equals(cause.getMessage())
          ? ErrorKind.REJECTED
          : ErrorKind.TIMEOUT;
    }
    if (cause instanceof ConnectException
        || cause instanceof UnknownHostException
        || cause instanceof NoRouteToHostException) {
      return ErrorKind.CONNECT;
    }
    if (cause instanceof SSLException) {
      return ErrorKind.TLS;
    }
    if (cause instanceof IOException) {
      return ErrorKind.IO;
    }
    if (cause instanceof InterruptedException) {
      return ErrorKind.CANCELLED; // only a closing fetcher interrupts its threads
    }
    return ErrorKind.UNEXPECTED;
  }

  /**
   * What a result reports of {@code failure}: what was thrown, unwrapped from a call; the user's
   * own exception behind OkHttp's {@code IOException("canceled due to ...")} too.
   */
  static Throwable cause(Throwable failure) {
    if (failure instanceof ThrownInCall && failure.getCause() != null) {
      return failure.getCause();
    }
    Throwable suppressed = userCodeCancelled(failure);
    return suppressed != null ? suppressed : failure;
  }

  /**
   * The exception behind OkHttp's {@code IOException("canceled due to ...")}, which it reports to
   * the callback of an enqueued call when code in the call threw something other than an {@code
   * IOException} outside the interceptors, which {@link Interceptors#GUARD} covers; or null.
   */
  private static @Nullable Throwable userCodeCancelled(Throwable failure) {
    String message = failure.getMessage();
    if (failure instanceof IOException
        && message != null
        && message.startsWith("canceled due to ")) {
      for (Throwable suppressed : failure.getSuppressed()) {
        if (suppressed instanceof RuntimeException || suppressed instanceof Error) {
          return suppressed;
        }
      }
    }
    return null;
  }
}
