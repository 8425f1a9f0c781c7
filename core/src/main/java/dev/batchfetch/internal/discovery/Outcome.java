package dev.batchfetch.internal.discovery;

import dev.batchfetch.internal.quota.QuotaSignal;
import java.time.Instant;
import java.util.Objects;

/**
 * How one attempt ended, as {@link RateController} hears it. Immutable.
 *
 * @param sentNanos when the request left, on the controller's nanosecond clock
 * @param answeredNanos when its answer (or failure) came, on the same clock; not before {@code
 *     sentNanos}
 * @param kind what the answer says about the quota
 * @param signal what the answer's headers say about the quota ({@link QuotaSignal#NONE} if none)
 * @param answeredAt the wall-clock time {@code signal}'s times are relative to: the instant it was
 *     parsed at
 */
public record Outcome(
    long sentNanos, long answeredNanos, Kind kind, QuotaSignal signal, Instant answeredAt) {

  /** What an answer says about the quota. */
  public enum Kind {
    /**
     * The server took the call (2xx, 3xx, or a 4xx other than 429): it counted against the quota.
     */
    ACCEPTED,
    /** "Too many": a 429, or a 503 with {@code Retry-After}. */
    THROTTLED,
    /** Neither: a 5xx without {@code Retry-After}, or no answer at all (status 0). */
    OTHER
  }

  /**
   * Checks the parts.
   *
   * @throws NullPointerException if {@code kind}, {@code signal} or {@code answeredAt} is null
   * @throws IllegalArgumentException if {@code answeredNanos} is before {@code sentNanos}
   */
  public Outcome {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(answeredAt, "answeredAt");
    if (answeredNanos - sentNanos < 0) {
      throw new IllegalArgumentException(
          "answeredNanos (" + answeredNanos + ") is before sentNanos (" + sentNanos + ")");
    }
  }

  /**
   * The outcome of an attempt that ended with HTTP {@code status} (0: no answer).
   *
   * @throws NullPointerException if {@code signal} or {@code answeredAt} is null
   * @throws IllegalArgumentException as the canonical constructor
   */
  public static Outcome of(
      long sentNanos, long answeredNanos, int status, QuotaSignal signal, Instant answeredAt) {
    return new Outcome(sentNanos, answeredNanos, kindOf(status, signal), signal, answeredAt);
  }

  /** What {@code status} with {@code signal} says about the quota. */
  public static Kind kindOf(int status, QuotaSignal signal) {
    if (status == 429 || (status == 503 && signal.retryAfter() != null)) {
      return Kind.THROTTLED;
    }
    return status >= 200 && status < 500 ? Kind.ACCEPTED : Kind.OTHER;
  }
}
