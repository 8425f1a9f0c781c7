package dev.batchfetch.internal.admission;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import dev.batchfetch.RetryPolicy;
import io.github.resilience4j.core.IntervalFunction;
import java.util.Set;
import okhttp3.Request;
import org.jspecify.annotations.Nullable;

/**
 * Which failed attempts are tried again, and after how long: a {@link RetryPolicy} with its backoff
 * computed by Resilience4j's {@link IntervalFunction}. The fetcher schedules each retry as a new
 * admission; the server's {@code Retry-After} replaces the backoff (see {@link Decision}).
 * Thread-safe; each input's count of attempts is its own {@link Attempts}.
 */
public final class Retries {
  private static final Set<String> IDEMPOTENT =
      Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");
  private static final Set<Integer> OVERLOAD_STATUS = Set.of(429, 502, 503, 504);

  private final RetryPolicy policy;
  private final IntervalFunction backoff;
  private final long rateLimitBudgetNanos;

  public Retries(RetryPolicy policy) {
    this.policy = policy;
    this.rateLimitBudgetNanos = saturatedNanos(policy.rateLimitBudget());
    this.backoff =
        policy.jitter() == 0
            ? IntervalFunction.ofExponentialBackoff(
                policy.initialBackoff(), policy.multiplier(), policy.maxBackoff())
            : IntervalFunction.ofExponentialRandomBackoff(
                policy.initialBackoff(), policy.multiplier(), policy.jitter(), policy.maxBackoff());
  }

  /** The count of attempts of one request, or null if the request is never retried. */
  @Nullable Attempts attemptsFor(Request request) {
    if (policy.maxAttempts() == 1
        || (!policy.retryNonIdempotent() && !IDEMPOTENT.contains(request.method()))) {
      return null;
    }
    return new Attempts();
  }

  /** How long an input may go on being throttled, from its first attempt, in nanoseconds. */
  long rateLimitBudgetNanos() {
    return rateLimitBudgetNanos;
  }

  /** One input's failed attempts so far. Touched by one attempt's end at a time. */
  final class Attempts {
    private int failed;

    /** The attempt just counted was a signal, not a failure: it does not count. */
    void forgive() {
      failed = Math.max(0, failed - 1);
    }

    /**
     * Counts {@code attempt} if it failed in a way worth another, and returns the backoff before
     * the next one in milliseconds; -1 if there is to be none (a success, a final failure, or no
     * attempts left).
     */
    long backoffAfter(Result attempt) {
      if (!isRetryable(attempt)) {
        return -1;
      }
      failed++;
      return failed >= policy.maxAttempts() ? -1 : backoff.apply(failed);
    }
  }

  private static long saturatedNanos(java.time.Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Whether an attempt that ended so is worth another: transient failures, overload, and a 408 (the
   * server gave up waiting for the request; OkHttp would send it again on its own, as browsers do).
   */
  static boolean isRetryable(Result result) {
    ErrorKind error = result.error();
    if (error == null) {
      return false;
    }
    return switch (error) {
      case CONNECT, TIMEOUT, IO -> true;
      case HTTP_STATUS -> result.status() == 408 || OVERLOAD_STATUS.contains(result.status());
      default -> false;
    };
  }

  /**
   * Whether a response says the server, or the host behind it, cannot take more now: a retried
   * status, whose {@code Retry-After} then pauses the whole host.
   */
  static boolean isOverload(int status) {
    return OVERLOAD_STATUS.contains(status);
  }

  /**
   * Whether a response says "too many" in so many words (429, 503): without {@code Retry-After} it
   * still holds its host for the backoff. A 502 or 504 may be one bad upstream call, and holds
   * nothing unless it says how long.
   */
  static boolean isTooMany(int status) {
    return status == 429 || status == 503;
  }
}
