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
    if (failure instanceof UserCodeFailure || userCodeCancelled(failure) != null) {
      return ErrorKind.UNEXPECTED;
    }
    if (failure instanceof BodyTooLargeException) {
      return ErrorKind.BODY_TOO_LARGE;
    }
    if (failure instanceof InterruptedIOException) {
      // SocketTimeoutException (connect, read, write) and OkHttp's call timeout, which throws
      // InterruptedIOException("timeout"); OkHttp also reports a dispatcher that shut down this
      // way.
      return "executor rejected".equals(failure.getMessage())
          ? ErrorKind.REJECTED
          : ErrorKind.TIMEOUT;
    }
    if (failure instanceof ConnectException
        || failure instanceof UnknownHostException
        || failure instanceof NoRouteToHostException) {
      return ErrorKind.CONNECT;
    }
    if (failure instanceof SSLException) {
      return ErrorKind.TLS;
    }
    if (failure instanceof IOException) {
      return ErrorKind.IO;
    }
    return ErrorKind.UNEXPECTED;
  }

  /**
   * The exception a result of {@code failure} carries: the user's own, for a failure of user code
   * inside OkHttp's call; {@code failure} itself otherwise.
   */
  static Throwable cause(Throwable failure) {
    if (failure instanceof UserCodeFailure) {
      Throwable cause = failure.getCause();
      return cause != null ? cause : failure;
    }
    Throwable suppressed = userCodeCancelled(failure);
    return suppressed != null ? suppressed : failure;
  }

  /**
   * The exception behind OkHttp's {@code IOException("canceled due to ...")}, which it reports to
   * the callback of an enqueued call when code in the call threw something other than an {@code
   * IOException} (outside the interceptors, which {@link UserCodeFailure#guard()} covers); or null.
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
