package dev.batchfetch.internal.admission;

import java.io.InterruptedIOException;
import java.time.Duration;

/**
 * The cause of a {@code TIMEOUT} result whose input spent its whole {@code inputTimeout} in flight:
 * ended on the fetcher's own timer, even if the thread of its call was still stuck (in a DNS
 * lookup, say).
 */
final class InputTimeoutException extends InterruptedIOException {
  private static final long serialVersionUID = 1L;

  InputTimeoutException(Duration timeout) {
    super("the input's time in flight, " + timeout + " (inputTimeout), ran out");
  }
}
