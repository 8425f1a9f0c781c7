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
 * <p><b>A 429 is a signal, not a failure.</b> With quota discovery on (the default, {@link
 * BatchFetcher.Builder#quotaDiscovery}), a {@code 429}, or a {@code 503} with {@code Retry-After},
 * slows its host down, and does not use up one of the input's attempts while the host's rate can
 * still come down: the input is tried again as soon as the slower pace allows, with no backoff of
 * its own. It ends as {@link ErrorKind#RATE_LIMITED} once its next attempt could only start after
 * {@link #rateLimitBudget()} since its first attempt ran out (its host's pace, or the server's
 * wait, puts it past the budget), or when the server asks for a wait past the fetcher's {@code
 * maxRetryAfter}. With discovery off, such an answer is a failed attempt like the others.
 *
 * @param maxAttempts attempts in all, the first included; 1 means no retry
 * @param initialBackoff the wait before the first retry, before jitter
 * @param multiplier how much each backoff grows over the one before, at least 1
 * @param maxBackoff the longest backoff, before jitter
 * @param jitter the randomization factor, from 0 (none) up to but excluding 1: a backoff {@code b}
 *     becomes a uniform random wait in {@code [b(1 - jitter), b(1 + jitter)]}
 * @param retryNonIdempotent whether to retry methods that are not idempotent too
 * @param rateLimitBudget how long an input may go on being refused with 429 (or 503 with {@code
 *     Retry-After}) from its first attempt, while quota discovery slows its host down, before it
 *     ends as {@link ErrorKind#RATE_LIMITED}
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    double multiplier,
    Duration maxBackoff,
    double jitter,
    boolean retryNonIdempotent,
    Duration rateLimitBudget) {

  /** The default {@link #rateLimitBudget()}: five minutes. */
  public static final Duration DEFAULT_RATE_LIMIT_BUDGET = Duration.ofMinutes(5);

  private static final RetryPolicy DEFAULTS =
      new RetryPolicy(
          3,
          Duration.ofMillis(500),
          2.0,
          Duration.ofSeconds(30),
          0.5,
          false,
          DEFAULT_RATE_LIMIT_BUDGET);

  /**
   * @throws NullPointerException if a duration is null
   * @throws IllegalArgumentException if {@code maxAttempts} is less than 1, a backoff is not
   *     positive or the initial one exceeds the maximum, {@code multiplier} is less than 1, {@code
   *     jitter} is outside [0, 1), or {@code rateLimitBudget} is negative
   */
  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(rateLimitBudget, "rateLimitBudget");
    if (rateLimitBudget.isNegative()) {
      throw new IllegalArgumentException(
          "rateLimitBudget must not be negative, was " + rateLimitBudget);
    }
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
   * A policy with the {@link #DEFAULT_RATE_LIMIT_BUDGET default rate-limit budget}.
   *
   * @throws NullPointerException if a duration is null
   * @throws IllegalArgumentException as the canonical constructor
   */
  public RetryPolicy(
      int maxAttempts,
      Duration initialBackoff,
      double multiplier,
      Duration maxBackoff,
      double jitter,
      boolean retryNonIdempotent) {
    this(
        maxAttempts,
        initialBackoff,
        multiplier,
        maxBackoff,
        jitter,
        retryNonIdempotent,
        DEFAULT_RATE_LIMIT_BUDGET);
  }

  /**
   * Three attempts, backoff from 500 ms doubling up to 30 s, jitter 0.5, idempotent methods only;
   * refused inputs go on for up to five minutes while quota discovery slows their host down.
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
        maxAttempts,
        initialBackoff,
        multiplier,
        maxBackoff,
        jitter,
        retryNonIdempotent,
        rateLimitBudget);
  }

  /**
   * This policy with another exponential backoff.
   *
   * @throws IllegalArgumentException as {@link #RetryPolicy}
   */
  public RetryPolicy withBackoff(Duration initial, double multiplier, Duration max) {
    return new RetryPolicy(
        maxAttempts, initial, multiplier, max, jitter, retryNonIdempotent, rateLimitBudget);
  }

  /**
   * This policy with another randomization factor.
   *
   * @throws IllegalArgumentException if {@code jitter} is outside [0, 1)
   */
  public RetryPolicy withJitter(double jitter) {
    return new RetryPolicy(
        maxAttempts,
        initialBackoff,
        multiplier,
        maxBackoff,
        jitter,
        retryNonIdempotent,
        rateLimitBudget);
  }

  /** This policy, retrying non-idempotent methods (POST, PATCH, ...) too when {@code retry}. */
  public RetryPolicy withRetryNonIdempotent(boolean retry) {
    return new RetryPolicy(
        maxAttempts, initialBackoff, multiplier, maxBackoff, jitter, retry, rateLimitBudget);
  }

  /**
   * This policy with another rate-limit budget: how long an input may go on being refused with 429
   * (or 503 with {@code Retry-After}) from its first attempt, while quota discovery slows its host
   * down, before it ends as {@link ErrorKind#RATE_LIMITED}. {@link Duration#ZERO} ends it at its
   * first refusal. Has no effect with discovery off, where such a refusal uses up an attempt.
   *
   * @throws NullPointerException if {@code budget} is null
   * @throws IllegalArgumentException if {@code budget} is negative
   */
  public RetryPolicy withRateLimitBudget(Duration budget) {
    Objects.requireNonNull(budget, "budget");
    return new RetryPolicy(
        maxAttempts, initialBackoff, multiplier, maxBackoff, jitter, retryNonIdempotent, budget);
  }
}
