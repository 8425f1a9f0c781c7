package dev.batchfetch.internal.quota;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What one response says about the server's quota; every part optional. {@link QuotaHeaders} reads
 * it from the response's headers.
 *
 * <p>Immutable and thread-safe.
 *
 * @param retryAfter from {@code Retry-After}: when the server wants the next request; null when
 *     unknown
 * @param limit requests allowed per window, -1 when unknown
 * @param remaining requests left in the current window, -1 when unknown
 * @param reset when the window resets (remaining refills), null when unknown
 * @param window the length of the quota's window, positive, null when unknown
 */
public record QuotaSignal(
    @Nullable Instant retryAfter,
    long limit,
    long remaining,
    @Nullable Instant reset,
    @Nullable Duration window) {

  /** A response that says nothing about the quota. */
  public static final QuotaSignal NONE = new QuotaSignal(null, -1, -1, null, null);

  /**
   * Checks the parts.
   *
   * @throws IllegalArgumentException if {@code limit} or {@code remaining} is below -1, or {@code
   *     window} is zero or negative
   */
  public QuotaSignal {
    if (limit < -1) {
      throw new IllegalArgumentException("limit must be -1 (unknown) or >= 0: " + limit);
    }
    if (remaining < -1) {
      throw new IllegalArgumentException("remaining must be -1 (unknown) or >= 0: " + remaining);
    }
    if (window != null && (window.isZero() || window.isNegative())) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
  }

  /** True when the response said nothing about the quota. */
  public boolean isEmpty() {
    return equals(NONE);
  }

  /**
   * The time before which no request should be sent: {@link #retryAfter()}, or {@link #reset()}
   * when {@link #remaining()} is 0; when both apply, the later of the two. Null when neither does
   * (in particular when remaining is 0 but the response did not say when the window resets).
   */
  public @Nullable Instant holdUntil() {
    Instant exhausted = remaining == 0 ? reset : null;
    if (retryAfter == null) {
      return exhausted;
    }
    if (exhausted == null) {
      return retryAfter;
    }
    return exhausted.isAfter(retryAfter) ? exhausted : retryAfter;
  }
}
