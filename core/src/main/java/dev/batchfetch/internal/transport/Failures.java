package dev.batchfetch.internal.transport;

import dev.batchfetch.ErrorKind;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

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
    if (failure instanceof java.io.IOException) {
      return ErrorKind.IO;
    }
    return ErrorKind.UNEXPECTED;
  }
}
