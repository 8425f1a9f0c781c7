package dev.batchfetch.internal.quota;

import java.time.Duration;
import java.time.Instant;

/**
 * The times a quota signal may name: from {@code now}, when the response arrived, to {@code last},
 * {@code now} + {@link QuotaHeaders#MAX_HORIZON} (or {@link Instant#MAX} if that comes first).
 * Immutable and thread-safe.
 */
record Horizon(Instant now, Instant last) {
  Horizon(Instant now) {
    this(
        now,
        now.isAfter(Instant.MAX.minus(QuotaHeaders.MAX_HORIZON))
            ? Instant.MAX
            : now.plus(QuotaHeaders.MAX_HORIZON));
  }

  /** {@code now} plus a non-negative number of milliseconds, clamped. */
  Instant after(long millis) {
    return millis >= Duration.between(now, last).toMillis()
        ? last
        : now.plusMillis(Math.max(0, millis));
  }

  /** The time itself if within the range, else its nearer end. */
  Instant clamp(Instant time) {
    return time.isBefore(now) ? now : time.isAfter(last) ? last : time;
  }
}
