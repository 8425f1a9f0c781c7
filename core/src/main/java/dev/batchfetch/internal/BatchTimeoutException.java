package dev.batchfetch.internal;

import java.time.Duration;
import java.util.concurrent.CancellationException;

/** The cause of a {@code TIMEOUT} result whose batch's deadline passed before it was done. */
final class BatchTimeoutException extends CancellationException {
  private static final long serialVersionUID = 1L;

  BatchTimeoutException(Duration deadline) {
    super("the batch's deadline of " + deadline + " passed");
  }
}
