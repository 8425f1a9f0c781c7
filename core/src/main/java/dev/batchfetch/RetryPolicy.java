package dev.batchfetch;

import java.time.Duration;
import java.util.Objects;

/**
 * When and how a failed call is tried again: after an I/O failure, a timeout, or a {@code 408},
 * {@code 429}, {@code 502}, {@code 503} or {@code 504}, up to {@code maxAttempts} attempts in all,
 * waiting an exponential backoff with jitter between them, or as long as the server's {@code
 * Retry-After} on a {@code 429}, {@code 502}, {@code 503} or {@code 504} says, which takes
 * precedence.
 *
 * <pre>{@code
 * RetryPolicy.defaults()                      // 3 attempts, 500 ms, 1 s, ... up to 30 s, jitter 0.5
 * RetryPolicy.none()                          // one attempt
 * RetryPolicy.defaults().withMaxAttempts(5)
 *     .withBackoff(Duration.ofMillis(200), 2.0, Duration.ofSeconds(10))
 *     .withRetryNonIdempotent(true)           // also retry POST and PATCH
 * }</pre>
 *
 * <p>Only idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) are retried unless {@link
 * #retryNonIdempotent()}, even after a connection failure that may have come before the server read
 * the request: the fetcher cannot tell. A retry is a new admission: it waits for a rate-limit
 * permit and a bulkhead slot like any call. These are a fetcher's only retries (its OkHttp client
 * makes none of its own). Immutable and thread-safe.
 *
 * @param maxAttempts attempts in all, the first included; 1 means no retry
 * @param initialBackoff the wait before the first retry, before jitter
 * @param multiplier how much each backoff grows over the one before, at least 1
 * @param maxBackoff the longest backoff, before jitter
 * @param jitter the randomization factor, from 0 (none) up to but excluding 1: a backoff {@code b}
 *     becomes a uniform random wait in {@code [b(1 - jitter), b(1 + jitter)]}
 * @param retryNonIdempotent whether to retry methods that are not idempotent too
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    double multiplier,
    Duration maxBackoff,
    double jitter,
    boolean retryNonIdempotent) {

  private static final RetryPolicy DEFAULTS =
      new RetryPolicy(3, Duration.ofMillis(500), 2.0, Duration.ofSeconds(30), 0.5, false);

  /**
   * @throws NullPointerException if a duration is null
   * @throws IllegalArgumentException if {@code maxAttempts} is less than 1, a backoff is not
   *     positive or the initial one exceeds the maximum, {@code multiplier} is less than 1, or
   *     {@code jitter} is outside [0, 1)
   */
  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive, was " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff must be at least initialBackoff (" + initialBackoff + "), was " + maxBackoff);
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be at least 1, was " + multiplier);
    }
    if (!(jitter >= 0.0 && jitter < 1.0)) {
      throw new IllegalArgumentException("jitter must be at least 0 and below 1, was " + jitter);
    }
  }

  /**
   * Three attempts, backoff from 500 ms doubling up to 30 s, jitter 0.5, idempotent methods only.
   */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** One attempt: no retry. */
  public static RetryPolicy none() {
    return DEFAULTS.withMaxAttempts(1);
  }

  /**
   * This policy with {@code maxAttempts} attempts in all.
   *
   * @throws IllegalArgumentException if {@code maxAttempts} is less than 1
   */
  public RetryPolicy withMaxAttempts(int maxAttempts) {
    return new RetryPolicy(
        maxAttempts, initialBackoff, multiplier, maxBackoff, jitter, retryNonIdempotent);
  }

  /**
   * This policy with another exponential backoff.
   *
   * @throws IllegalArgumentException as {@link #RetryPolicy}
   */
  public RetryPolicy withBackoff(Duration initial, double multiplier, Duration max) {
    return new RetryPolicy(maxAttempts, initial, multiplier, max, jitter, retryNonIdempotent);
  }

  /**
   * This policy with another randomization factor.
   *
   * @throws IllegalArgumentException if {@code jitter} is outside [0, 1)
   */
  public RetryPolicy withJitter(double jitter) {
    return new RetryPolicy(
        maxAttempts, initialBackoff, multiplier, maxBackoff, jitter, retryNonIdempotent);
  }

  /** This policy, retrying non-idempotent methods (POST, PATCH, ...) too when {@code retry}. */
  public RetryPolicy withRetryNonIdempotent(boolean retry) {
    return new RetryPolicy(maxAttempts, initialBackoff, multiplier, maxBackoff, jitter, retry);
  }
}
