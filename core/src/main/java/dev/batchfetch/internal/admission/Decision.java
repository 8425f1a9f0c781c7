package dev.batchfetch.internal.admission;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.FetchListener.PauseReason;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.internal.batch.Results;
import dev.batchfetch.internal.quota.QuotaSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What an ended attempt means, for its input and for its host: a pure step, no threads and no
 * clock, so that every rule is tested on its own.
 *
 * <ul>
 *   <li>The server's wait ({@link QuotaSignal#holdUntil()}: {@code Retry-After} on an overloaded
 *       answer, 429, 502, 503 or 504, or a quota with nothing remaining until its reset) holds the
 *       whole host; past {@code maxRetryAfter} it blocks the host instead, and an overloaded answer
 *       then ends its input as {@link ErrorKind#RATE_LIMITED}.
 *   <li>A 429 or 503 without a wait spends the host's burst and holds it for the backoff, so that
 *       its other inputs do not collect the same answer meanwhile.
 *   <li>A retryable failure is tried again after the server's {@code Retry-After} (which counts as
 *       admission wait) or the backoff; anything else completes the input.
 *   <li>With {@code adaptToServerQuota}, a quota the server announces (a limit and a window) slows
 *       the host to it.
 * </ul>
 */
final class Decision {
  private Decision() {}

  /**
   * What to do after one attempt.
   *
   * @param holdNanos how long from now no call may go to the host; 0 for no hold
   * @param block whether the hold is past the cap: the host's inputs fail unsent until it ends
   * @param drain whether to spend the host limiter's burst
   * @param slowTo a quota the server announced, for the host to slow to; null for none
   * @param result the input's result, or null to try again after {@code retryInNanos}
   * @param retryInNanos when to queue the input again, if {@code result} is null
   * @param retryWaitIsAdmission whether that wait is the server's, counted as admission wait
   */
  record Verdict(
      long holdNanos,
      boolean block,
      boolean drain,
      @Nullable RateLimit slowTo,
      @Nullable Result result,
      long retryInNanos,
      boolean retryWaitIsAdmission) {}

  /**
   * Decides after {@code attempt}.
   *
   * @param signal what the attempt's response said of the quota; {@link QuotaSignal#NONE} for none
   * @param backoffMillis the retry policy's backoff before another attempt, -1 for none
   * @param now when the response was read, for the times in the signal
   */
  static Verdict decide(
      Result attempt,
      QuotaSignal signal,
      long backoffMillis,
      Instant now,
      Duration maxRetryAfter,
      boolean adaptToServerQuota) {
    int status = attempt.status();
    boolean overload = Retries.isOverload(status);
    // Retry-After means "wait" on an overloaded answer only; a reset with nothing left, on any.
    Instant holdUntil = (overload ? signal : withoutRetryAfter(signal)).holdUntil();
    long holdNanos =
        holdUntil == null ? 0 : Math.max(0, Duration.between(now, holdUntil).toNanos());
    boolean beyondCap = holdUntil != null && holdNanos > maxRetryAfter.toNanos();
    RateLimit slowTo = adaptToServerQuota ? announced(signal) : null;
    boolean drain = false;
    if (holdUntil == null && Retries.isTooMany(status)) {
      drain = true;
      holdNanos = Math.max(0, TimeUnit.MILLISECONDS.toNanos(backoffMillis));
    }
    if (beyondCap && overload) {
      Result limited = Results.withError(attempt, ErrorKind.RATE_LIMITED, null);
      return new Verdict(holdNanos, true, drain, slowTo, limited, 0, false);
    }
    if (backoffMillis < 0 || beyondCap) {
      return new Verdict(holdNanos, beyondCap, drain, slowTo, attempt, 0, false);
    }
    if (overload && signal.retryAfter() != null) {
      return new Verdict(holdNanos, false, drain, slowTo, null, holdNanos, true);
    }
    long backoffNanos = TimeUnit.MILLISECONDS.toNanos(backoffMillis);
    return new Verdict(holdNanos, false, drain, slowTo, null, backoffNanos, false);
  }

  /**
   * Why {@code verdict}, made after {@code attempt}, holds its host: for the event and the log.
   * Meaningful only when it holds it ({@code holdNanos > 0}).
   */
  static PauseReason holdReason(Result attempt, QuotaSignal signal, Verdict verdict) {
    if (verdict.drain()) {
      return PauseReason.BACKOFF; // a 429 or 503 that said nothing of how long
    }
    return Retries.isOverload(attempt.status()) && signal.retryAfter() != null
        ? PauseReason.RETRY_AFTER
        : PauseReason.QUOTA_HEADERS;
  }

  private static QuotaSignal withoutRetryAfter(QuotaSignal signal) {
    return signal.retryAfter() == null
        ? signal
        : new QuotaSignal(
            null, signal.limit(), signal.remaining(), signal.reset(), signal.window());
  }

  /** The quota the server announces, if it gives a limit and a window the fetcher can keep. */
  private static @Nullable RateLimit announced(QuotaSignal signal) {
    Duration window = signal.window();
    if (signal.limit() <= 0 || window == null) {
      return null;
    }
    try {
      return RateLimit.of(signal.limit(), window);
    } catch (IllegalArgumentException e) {
      return null; // not a quota a limiter can keep (under a nanosecond apart, over a century)
    }
  }
}
