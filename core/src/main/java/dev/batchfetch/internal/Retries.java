package dev.batchfetch.internal;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import dev.batchfetch.RetryPolicy;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.util.Set;
import okhttp3.Request;
import org.jspecify.annotations.Nullable;

/**
 * Which failed attempts are tried again, and after how long, on a Resilience4j {@link Retry}: its
 * asynchronous context counts the attempts and computes the backoff without blocking anyone; the
 * fetcher schedules the retry as a new admission. The server's {@code Retry-After} replaces the
 * computed backoff (see {@link Admission}).
 */
final class Retries {
  private static final Set<String> IDEMPOTENT =
      Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");
  private static final Set<Integer> RETRYABLE_STATUS = Set.of(429, 502, 503, 504);

  private final RetryPolicy policy;
  private final Retry retry;

  Retries(String name, RetryPolicy policy) {
    this.policy = policy;
    IntervalFunction backoff =
        policy.jitter() == 0
            ? IntervalFunction.ofExponentialBackoff(
                policy.initialBackoff(), policy.multiplier(), policy.maxBackoff())
            : IntervalFunction.ofExponentialRandomBackoff(
                policy.initialBackoff(), policy.multiplier(), policy.jitter(), policy.maxBackoff());
    this.retry =
        Retry.of(
            name,
            RetryConfig.<Result>custom()
                .maxAttempts(policy.maxAttempts())
                .intervalFunction(backoff)
                .retryOnResult(Retries::isRetryable)
                .retryOnException(e -> false)
                .failAfterMaxAttempts(false)
                .writableStackTraceEnabled(false)
                .build());
  }

  /** A context for the attempts of one request, or null if the request is never retried. */
  Retry.@Nullable AsyncContext<Result> contextFor(Request request) {
    if (policy.maxAttempts() == 1
        || (!policy.retryNonIdempotent() && !IDEMPOTENT.contains(request.method()))) {
      return null;
    }
    return retry.asyncContext();
  }

  /** Whether an attempt that ended so is worth another: transient failures and overload. */
  static boolean isRetryable(Result result) {
    ErrorKind error = result.error();
    if (error == null) {
      return false;
    }
    return switch (error) {
      case CONNECT, TIMEOUT, IO -> true;
      case HTTP_STATUS -> RETRYABLE_STATUS.contains(result.status());
      default -> false;
    };
  }

  /**
   * Whether a response says the server, or the host behind it, cannot take more now: a retried
   * status, whose {@code Retry-After} then pauses the whole host.
   */
  static boolean isOverload(int status) {
    return RETRYABLE_STATUS.contains(status);
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
