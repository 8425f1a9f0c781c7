package dev.batchfetch.internal.admission;

import java.time.Duration;

/**
 * The exception of a {@code RATE_LIMITED} result that was never sent: its host's server asked for a
 * longer wait than the fetcher honours.
 */
final class RateLimitedException extends Exception {
  private static final long serialVersionUID = 1L;

  RateLimitedException(String host, Duration wait, Duration cap) {
    super(
        host
            + " asked to wait "
            + wait.toSeconds()
            + " s, longer than the "
            + cap.toSeconds()
            + " s the fetcher honours (maxRetryAfter)",
        null,
        false,
        false);
  }
}
