package dev.batchfetch.internal.batch;

import java.time.Duration;
import java.util.concurrent.CancellationException;

/** The cause of a {@code TIMEOUT} result whose batch's deadline passed before it was done. */
public final class BatchTimeoutException extends CancellationException {
  private static final long serialVersionUID = 1L;

  public BatchTimeoutException(Duration deadline) {
    super("the batch's deadline of " + deadline + " passed");
  }
}
