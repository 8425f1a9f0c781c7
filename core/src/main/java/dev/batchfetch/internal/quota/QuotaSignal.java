package dev.batchfetch.internal.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one response says about the server's quota; every part optional. {@link QuotaHeaders} reads
 * it from the response's headers.
 *
 * <p>The first five parts summarise the quota that binds (see {@link QuotaHeaders} for how it is
 * chosen among several); {@link #quotas()} lists every request quota the response announced, the
 * binding one first, for a reader that wants all of them (a server may enforce a per-second and a
 * per-day quota at once).
 *
 * <p>Immutable and thread-safe.
 *
 * @param retryAfter from {@code Retry-After}: when the server wants the next request; null when
 *     unknown
 * @param limit requests allowed per window, -1 when unknown
 * @param remaining requests left in the current window, -1 when unknown
 * @param reset when the window resets (remaining refills), null when unknown
 * @param window the length of the quota's window, positive, null when unknown
 * @param quotas every request quota announced, the binding one first; empty when none
 * @param partition the quota partition the server says the request belongs to (the IETF {@code pk}
 *     parameter, as its base64 text), null when it names none
 */
public record QuotaSignal(
    @Nullable Instant retryAfter,
    long limit,
    long remaining,
    @Nullable Instant reset,
    @Nullable Duration window,
    List<Quota> quotas,
    @Nullable String partition) {

  /** A response that says nothing about the quota. */
  public static final QuotaSignal NONE = new QuotaSignal(null, -1, -1, null, null);

  /**
   * One quota: {@code limit} requests per {@code window}, of which {@code remaining} are left until
   * {@code reset}. Immutable.
   *
   * @param limit requests allowed per window, -1 when unknown
   * @param window the window, positive, null when unknown
   * @param remaining requests left, -1 when unknown
   * @param reset when remaining refills, null when unknown
   */
  public record Quota(
      long limit, @Nullable Duration window, long remaining, @Nullable Instant reset) {
    /**
     * Checks the parts.
     *
     * @throws IllegalArgumentException if {@code limit} or {@code remaining} is below -1, or {@code
     *     window} is zero or negative
     */
    public Quota {
      checkCount("limit", limit);
      checkCount("remaining", remaining);
      if (window != null && (window.isZero() || window.isNegative())) {
        throw new IllegalArgumentException("window must be positive: " + window);
      }
    }

    /** Whether this says nothing. */
    boolean isEmpty() {
      return limit < 0 && window == null && remaining < 0 && reset == null;
    }
  }

  /**
   * Checks the parts.
   *
   * @throws NullPointerException if {@code quotas} or one of them is null
   * @throws IllegalArgumentException if {@code limit} or {@code remaining} is below -1, or {@code
   *     window} is zero or negative
   */
  public QuotaSignal {
    checkCount("limit", limit);
    checkCount("remaining", remaining);
    if (window != null && (window.isZero() || window.isNegative())) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
    quotas = List.copyOf(Objects.requireNonNull(quotas, "quotas"));
  }

  /**
   * A signal of one quota, or none if the parts are all unknown, in no partition.
   *
   * @throws IllegalArgumentException as the canonical constructor
   */
  public QuotaSignal(
      @Nullable Instant retryAfter,
      long limit,
      long remaining,
      @Nullable Instant reset,
      @Nullable Duration window) {
    this(
        retryAfter, limit, remaining, reset, window, single(limit, remaining, reset, window), null);
  }

  private static List<Quota> single(
      long limit, long remaining, @Nullable Instant reset, @Nullable Duration window) {
    Quota quota = new Quota(limit, window, remaining, reset);
    return quota.isEmpty() ? List.of() : List.of(quota);
  }

  private static void checkCount(String name, long value) {
    if (value < -1) {
      throw new IllegalArgumentException(name + " must be -1 (unknown) or >= 0: " + value);
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
