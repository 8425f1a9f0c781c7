package dev.batchfetch.internal.transport;

import java.io.IOException;

/**
 * Carries out of an OkHttp call what was thrown in it that is not an {@link IOException}: an {@link
 * Error} or a runtime exception from an interceptor, a DNS resolver or other code of the user's
 * client, or from OkHttp itself. OkHttp rethrows anything but an {@code IOException} on its own
 * thread (an uncaught exception, after reporting the call failed as "canceled"); wrapped, it is a
 * failure of the call like any other, and {@link Failures} unwraps it for the result.
 */
final class ThrownInCall extends IOException {
  private static final long serialVersionUID = 1L;

  ThrownInCall(Throwable cause) {
    super(cause.toString(), cause);
  }
}
