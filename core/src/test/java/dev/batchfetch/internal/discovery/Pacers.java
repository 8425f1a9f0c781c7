package dev.batchfetch.internal.discovery;

import java.time.Duration;
import java.time.Instant;

/** What the baseline pacers share. */
final class Pacers {
  private Pacers() {}

  /** When a throttled answer's Retry-After ends, on the outcome's clock; MIN_VALUE if none. */
  static long retryAfter(Outcome o) {
    Instant at = o.signal().retryAfter();
    return at == null
        ? Long.MIN_VALUE
        : o.answeredNanos() + Duration.between(o.answeredAt(), at).toNanos();
  }
}
