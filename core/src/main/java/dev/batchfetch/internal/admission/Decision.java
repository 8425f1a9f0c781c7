package dev.batchfetch.internal.admission;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.FetchListener.PauseReason;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.internal.batch.Results;
import dev.batchfetch.internal.discovery.Outcome;
import dev.batchfetch.internal.quota.QuotaHeaders;
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
 *       the host to it (quota discovery, when on, does so itself); one slower than a call per
 *       {@code maxRetryAfter} (one a year, say) is a wait past the cap instead, and blocks the host
 *       for one of its intervals.
 *   <li>With quota discovery, a throttled answer (429, or 503 with {@code Retry-After}) is a
 *       signal, not a failure, while the host's rate can still come down: it does not use up one of
 *       the input's attempts, and the input is tried again as soon as its host's pace allows (after
 *       the server's {@code Retry-After}, if it gave one), with no backoff of its own and no hold
 *       of the host: the slower pace is the backoff. Past the input's rate-limit budget, counted
 *       from its first attempt, it ends as {@link ErrorKind#RATE_LIMITED}.
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
   * @param counted whether the attempt used up one of the input's attempts; false for a throttled
   *     answer that quota discovery takes as a signal
   */
  record Verdict(
      long holdNanos,
      boolean block,
      boolean drain,
      @Nullable RateLimit slowTo,
      @Nullable Result result,
      long retryInNanos,
      boolean retryWaitIsAdmission,
      boolean counted) {
    Verdict(
        long holdNanos,
        boolean block,
        boolean drain,
        @Nullable RateLimit slowTo,
        @Nullable Result result,
        long retryInNanos,
        boolean retryWaitIsAdmission) {
      this(holdNanos, block, drain, slowTo, result, retryInNanos, retryWaitIsAdmission, true);
    }
  }

  /**
   * What quota discovery says of the attempt's host and input, once it heard the attempt.
   *
   * @param discovering whether discovery paces the host
   * @param canSlowDown whether the host's rate can still come down
   * @param retryable whether the input may be tried again at all (its method and policy allow)
   * @param budgetLeftNanos how much of the input's rate-limit budget is left, from its first
   *     attempt
   * @param paceNanos the interval between two calls at the host's learned rate, the least an input
   *     sent again waits for its next start; 0 while the host is not paced
   */
  record Throttling(
      boolean discovering,
      boolean canSlowDown,
      boolean retryable,
      long budgetLeftNanos,
      long paceNanos) {
    /** Discovery off: a throttled answer is a failed attempt like any other. */
    static final Throttling OFF = new Throttling(false, false, false, 0, 0);

    boolean takesAsSignal() {
      return discovering && canSlowDown && retryable;
    }
  }

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
    return decide(
        attempt, signal, backoffMillis, now, maxRetryAfter, adaptToServerQuota, Throttling.OFF);
  }

  /**
   * Decides after {@code attempt}, with what quota discovery says of its host.
   *
   * @param throttling what discovery says; {@link Throttling#OFF} when it is off
   */
  static Verdict decide(
      Result attempt,
      QuotaSignal signal,
      long backoffMillis,
      Instant now,
      Duration maxRetryAfter,
      boolean adaptToServerQuota,
      Throttling throttling) {
    int status = attempt.status();
    if (throttling.takesAsSignal()
        && Outcome.kindOf(status, signal) == Outcome.Kind.THROTTLED
        && attempt.error() == ErrorKind.HTTP_STATUS) {
      return signalled(
          attempt,
          signal,
          now,
          maxRetryAfter,
          throttling.budgetLeftNanos(),
          throttling.paceNanos());
    }
    // A quota slower than a call per maxRetryAfter is a wait past the cap, with discovery too.
    boolean checkSparse = adaptToServerQuota || throttling.discovering();
    if (throttling.discovering()) {
      adaptToServerQuota = false; // discovery follows the headers itself
    }
    boolean overload = Retries.isOverload(status);
    // Retry-After means "wait" on an overloaded answer only; a reset with nothing left, on any.
    Instant holdUntil = (overload ? signal : withoutRetryAfter(signal)).holdUntil();
    long holdNanos =
        holdUntil == null ? 0 : Math.max(0, Duration.between(now, holdUntil).toNanos());
    boolean beyondCap = holdUntil != null && holdNanos > maxRetryAfter.toNanos();
    RateLimit slowTo = adaptToServerQuota ? announced(signal) : null;
    long sparseNanos = checkSparse ? sparse(signal, maxRetryAfter) : 0;
    if (sparseNanos > 0) { // not a rate to keep: a wait past the cap
      slowTo = null;
      holdNanos = Math.max(holdNanos, sparseNanos);
      beyondCap = true;
    }
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
   * A throttled answer that discovery takes as a signal: no attempt used up, no backoff, no hold
   * but the server's own {@code Retry-After}; {@code RATE_LIMITED} past the cap, or when its next
   * start (after the server's wait, and at least one interval of the host's pace) lies past the
   * input's budget: it would only be refused again, or wait in vain.
   */
  private static Verdict signalled(
      Result attempt,
      QuotaSignal signal,
      Instant now,
      Duration maxRetryAfter,
      long budgetLeft,
      long paceNanos) {
    Instant holdUntil = signal.holdUntil();
    long holdNanos =
        holdUntil == null ? 0 : Math.max(0, Duration.between(now, holdUntil).toNanos());
    boolean beyondCap = holdUntil != null && holdNanos > maxRetryAfter.toNanos();
    if (beyondCap || Math.max(holdNanos, paceNanos) >= budgetLeft) {
      Result limited = Results.withError(attempt, ErrorKind.RATE_LIMITED, null);
      return new Verdict(holdNanos, beyondCap, false, null, limited, 0, false, false);
    }
    return new Verdict(holdNanos, false, false, null, null, holdNanos, holdNanos > 0, false);
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

  /**
   * The interval between the calls of the quota the server announces, in nanoseconds, if it is
   * longer than {@code cap}, at most {@link QuotaHeaders#MAX_HORIZON}; 0 if it is not, or if the
   * server announces none.
   */
  private static long sparse(QuotaSignal signal, Duration cap) {
    Duration window = signal.window();
    if (signal.limit() <= 0 || window == null) {
      return 0;
    }
    Duration interval = window.dividedBy(signal.limit());
    if (interval.compareTo(cap) <= 0) {
      return 0;
    }
    return (interval.compareTo(QuotaHeaders.MAX_HORIZON) < 0 ? interval : QuotaHeaders.MAX_HORIZON)
        .toNanos();
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
