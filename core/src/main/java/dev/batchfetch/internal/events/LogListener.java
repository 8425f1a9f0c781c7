package dev.batchfetch.internal.events;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ErrorKind;
import dev.batchfetch.FetchListener;
import dev.batchfetch.Result;
import dev.batchfetch.internal.time.Ticker;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetcher's log, written from its events, on the events thread, through the logger {@code
 * dev.batchfetch.BatchFetcher}:
 *
 * <ul>
 *   <li>{@code DEBUG}: each failed attempt and each retry, with its reason; each input that ended
 *       unsent (a bad URL, say); batches started and ended; hosts forgotten.
 *   <li>{@code INFO}: a host paused for a second or more, and each change of a host's rate.
 *   <li>{@code WARN}: user code that threw (an interceptor, a body handler, a rate limiter), at
 *       most one line every ten seconds of each kind, with a count of the lines held back.
 * </ul>
 *
 * Never a line per success above {@code DEBUG}.
 */
public final class LogListener extends FetchListener {
  /** The logger of every fetcher's events. */
  public static final Logger LOG = LoggerFactory.getLogger(BatchFetcher.class);

  /** Pauses shorter than this are logged at DEBUG: a backoff of 100 ms is routine. */
  private static final Duration NOTABLE_PAUSE = Duration.ofSeconds(1);

  private final Ticker ticker;
  private final Logger log;
  private final Throttle unexpected = new Throttle();
  private final Throttle quota = new Throttle();

  /**
   * @param ticker for the throttling of repeated lines
   * @param log where the lines go: {@link #LOG}, or a test's
   */
  public LogListener(Ticker ticker, Logger log) {
    this.ticker = ticker;
    this.log = log;
  }

  /** Whether the log wants the events of each attempt: it is at {@code DEBUG}. */
  boolean wantsAttempts() {
    return log.isDebugEnabled();
  }

  /** Whether the log has a line for a pause this long. */
  boolean wantsPause(long nanos) {
    return nanos >= NOTABLE_PAUSE.toNanos() ? log.isInfoEnabled() : log.isDebugEnabled();
  }

  /** Whether the log has a line for a change of rate. */
  boolean wantsRateChanges() {
    return log.isInfoEnabled();
  }

  /** Whether a result's error says user code threw, which the log reports at WARN. */
  static boolean isUsersFailure(@Nullable ErrorKind error) {
    return error == ErrorKind.UNEXPECTED || error == ErrorKind.QUOTA_UNAVAILABLE;
  }

  @Override
  public void attemptEnded(AttemptEnded e) {
    if (e.isSuccess() || !log.isDebugEnabled()) {
      return;
    }
    log.debug(
        "{}: attempt {} of {} failed after {}: {}",
        e.fetcher(),
        e.attempt(),
        e.url(),
        Words.duration(e.duration()),
        what(e.status(), e.error(), e.exception()));
  }

  @Override
  public void retryScheduled(RetryScheduled e) {
    if (log.isDebugEnabled()) {
      log.debug(
          "{}: retrying {} in {} (attempt {}): {}",
          e.fetcher(),
          e.url(),
          Words.duration(e.delay()),
          e.attempt() + 1,
          e.reason());
    }
  }

  @Override
  public void inputEnded(InputEnded e) {
    Result result = e.result();
    ErrorKind error = result.error();
    if (error == null) {
      return;
    }
    if (isUsersFailure(error)) {
      warnUsersFailure(e.fetcher(), result, error);
    } else if (result.attempts() == 0 && log.isDebugEnabled()) {
      log.debug(
          "{}: input {} ({}) ended unsent: {}",
          e.fetcher(),
          result.index(),
          result.url(),
          what(0, error, result.exception()));
    }
  }

  private void warnUsersFailure(String fetcher, Result result, ErrorKind error) {
    Throttle throttle = error == ErrorKind.UNEXPECTED ? unexpected : quota;
    long held = throttle.pass(ticker.nanoTime());
    if (held < 0) {
      return;
    }
    String what =
        error == ErrorKind.UNEXPECTED
            ? "an unexpected exception, from your code (an interceptor, a call factory, a body"
                + " handler) or a bug of batchfetch's"
            : "no permit: the rate limiter threw";
    String more = held == 0 ? "" : " (and " + held + " more like it since the last line)";
    log.warn("{}: {} ended {}: {}{}", fetcher, result.url(), error, what, more, result.exception());
  }

  @Override
  public void hostPaused(HostPaused e) {
    boolean notable = e.pause().compareTo(NOTABLE_PAUSE) >= 0;
    if (notable ? !log.isInfoEnabled() : !log.isDebugEnabled()) {
      return;
    }
    String message =
        e.blocked()
            ? "{}: blocked {} for {}: {} past maxRetryAfter; its inputs end RATE_LIMITED meanwhile"
            : "{}: paused {} for {}: {}";
    Object[] args = {e.fetcher(), e.host(), Words.duration(e.pause()), reason(e.reason())};
    if (notable) {
      log.info(message, args);
    } else {
      log.debug(message, args);
    }
  }

  @Override
  public void rateChanged(RateChanged e) {
    log.info(
        "{}: rate of {} changed from {} to {}: {}",
        e.fetcher(),
        e.host(),
        e.from() == null ? "unknown" : Words.rate(e.from()),
        Words.rate(e.to()),
        switch (e.reason()) {
          case SERVER_QUOTA -> "the server's quota headers";
          case LEARNED -> "learned";
          case SHARED -> "learned by another fetcher sharing the quota store";
        });
  }

  @Override
  public void hostEvicted(HostEvicted e) {
    log.debug("{}: forgot idle host {}", e.fetcher(), e.host());
  }

  @Override
  public void batchStarted(BatchStarted e) {
    log.debug(
        "{}: batch {} started, {} inputs",
        e.fetcher(),
        e.batch(),
        e.total() < 0 ? "streamed" : e.total());
  }

  @Override
  public void batchEnded(BatchEnded e) {
    if (log.isDebugEnabled()) {
      var s = e.summary();
      log.debug(
          "{}: batch {} ended: {} of {} succeeded{}, {}, in {}",
          e.fetcher(),
          e.batch(),
          s.succeeded(),
          s.results(),
          s.failures().isEmpty() ? "" : ", failed " + s.failures(),
          Words.bytes(s.bytes()),
          Words.duration(s.elapsed()));
    }
  }

  private static String reason(PauseReason reason) {
    return switch (reason) {
      case RETRY_AFTER -> "Retry-After";
      case QUOTA_HEADERS -> "quota headers, none remaining";
      case BACKOFF -> "too many requests, backoff";
      case SHARED -> "another fetcher sharing the quota store was told to wait";
    };
  }

  /** {@code 503}, {@code CONNECT (Connection refused)}, {@code INVALID_URL (...)}. */
  private static String what(int status, @Nullable ErrorKind error, @Nullable Throwable cause) {
    if (status != 0 && error == ErrorKind.HTTP_STATUS) {
      return Integer.toString(status);
    }
    String kind = status != 0 ? status + " " + error : String.valueOf(error);
    if (cause == null) {
      return kind;
    }
    String message = cause.getMessage();
    return kind + " (" + (message == null ? cause.getClass().getSimpleName() : message) + ")";
  }

  @Override
  public String toString() {
    return "the log";
  }
}
