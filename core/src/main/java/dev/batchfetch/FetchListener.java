package dev.batchfetch;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Hears what a fetcher does and why: each batch and attempt, each wait for a permit, each retry,
 * each pause and change of rate of a host. Extend it, override the methods of the events you want,
 * and give it to {@link BatchFetcher.Builder#eventListener}:
 *
 * <pre>{@code
 * BatchFetcher fetcher = BatchFetcher.builder()
 *     .eventListener(new FetchListener() {
 *       @Override
 *       public void hostPaused(HostPaused event) {
 *         log.warn("{} paused {} for {}: {}", event.fetcher(), event.host(), event.pause(),
 *             event.reason());
 *       }
 *     })
 *     .build();
 * }</pre>
 *
 * <p>In the spirit of OkHttp's {@code EventListener}: every method does nothing unless overridden,
 * so that new events can be added in later releases without breaking a listener; each event is an
 * immutable record. {@code batchfetch-micrometer} is a listener that turns the events into meters.
 *
 * <h2>On which thread, and what if it is slow or throws?</h2>
 *
 * A fetcher calls its listeners on a thread of its own ({@code batchfetch-N-events}; in a test's
 * virtual time, on its executor), one event at a time, in the order the events happened, never on
 * the thread that admits calls nor on the one that runs a call: a listener needs no locks of its
 * own, and a slow one delays nothing but its own events. That thread waits a millisecond for more
 * events before it goes, so a busy batch's events are heard in runs, not handed over one by one.
 * They queue up to {@value #QUEUE_CAPACITY} behind it; past that, attempt and host events are
 * dropped and counted (a {@code WARN} line says how many), while batch events are never dropped. An
 * exception or {@code Error} a method throws is logged at {@code WARN} (the first one with its
 * stack trace, then at most one line every ten seconds with a count) and ignored: it never breaks a
 * batch.
 *
 * <h2>Which events come, and how many?</h2>
 *
 * One {@link #batchStarted} and one {@link #batchEnded} per batch, with {@link #batchProgress}
 * between them at each {@link BatchFetcher.Builder#progressInterval progress interval}; one {@link
 * #attemptStarted} and one {@link #attemptEnded} per call sent; one {@link #inputEnded} per input,
 * with its result, whether it was sent or not; and, as they happen, {@link #permitWaited}, {@link
 * #retryScheduled}, {@link #hostPaused}, {@link #rateChanged} and {@link #hostEvicted}. Hosts are
 * named {@code "name:port"}, fetchers by {@link BatchFetcher#name()}, batches by their number
 * within their fetcher, inputs by their index in their batch.
 *
 * <p>Thread-safety: a listener given to one fetcher is called by one thread at a time; one shared
 * by several fetchers is called by each fetcher's thread, concurrently, and must be thread-safe.
 */
public abstract class FetchListener {
  /** How many events may wait for a slow listener before attempt and host events are dropped. */
  public static final int QUEUE_CAPACITY = 65_536;

  /** For subclasses. */
  protected FetchListener() {}

  /** A batch was submitted; its inputs are about to be taken. */
  public void batchStarted(BatchStarted event) {}

  /**
   * Where a running batch stands, at each {@link BatchFetcher.Builder#progressInterval progress
   * interval}: what a gauge of the calls queued or in flight reads.
   */
  public void batchProgress(BatchProgress event) {}

  /** A batch ended: every input has its result, or the batch was cancelled and stopped. */
  public void batchEnded(BatchEnded event) {}

  /** A call was handed to OkHttp: its permits were granted, and it is about to be sent. */
  public void attemptStarted(AttemptStarted event) {}

  /** A call ended: with a response (any status), or with the failure that kept it from one. */
  public void attemptEnded(AttemptEnded event) {}

  /** An input got its one result, after its last attempt, or without any (a bad URL, say). */
  public void inputEnded(InputEnded event) {}

  /** A call waited for a rate-limit permit, of its host's limiter or the fetcher's. */
  public void permitWaited(PermitWaited event) {}

  /** A failed attempt will be tried again after a delay. */
  public void retryScheduled(RetryScheduled event) {}

  /** No call goes to a host until a time, because its server said so or answered "too many". */
  public void hostPaused(HostPaused event) {}

  /**
   * A host's rate limit changed: its server announced a lower quota, or the fetcher learned one.
   */
  public void rateChanged(RateChanged event) {}

  /** A host that had been idle long enough was forgotten, with its limiter and any rate learned. */
  public void hostEvicted(HostEvicted event) {}

  /**
   * A batch was submitted.
   *
   * @param fetcher the fetcher's name
   * @param batch the batch's number within its fetcher, from 1
   * @param total how many inputs it has, or -1 for a streamed batch of unknown size
   */
  public record BatchStarted(String fetcher, long batch, long total) {}

  /**
   * Where a running batch stands.
   *
   * @param fetcher the fetcher's name
   * @param progress the batch's counts now
   */
  public record BatchProgress(String fetcher, Progress progress) {}

  /**
   * A batch ended.
   *
   * @param fetcher the fetcher's name
   * @param batch the batch's number
   * @param summary its counts: results, successes, failures by kind, bytes, elapsed time
   */
  public record BatchEnded(String fetcher, long batch, BatchSummary summary) {}

  /**
   * A call was handed to OkHttp.
   *
   * @param fetcher the fetcher's name
   * @param batch the batch's number
   * @param index the input's index in its batch
   * @param url the URL as the user gave it
   * @param host the host called, {@code "name:port"}
   * @param attempt which attempt of the input this is, from 1
   * @param queued how long this attempt waited to start since it joined its host's queue: for
   *     permits, slots, its host's pause (not a retry's backoff)
   */
  public record AttemptStarted(
      String fetcher,
      long batch,
      int index,
      String url,
      String host,
      int attempt,
      Duration queued) {}

  /**
   * A call ended.
   *
   * @param fetcher the fetcher's name
   * @param batch the batch's number
   * @param index the input's index in its batch
   * @param url the URL as the user gave it
   * @param host the host called, {@code "name:port"}
   * @param attempt which attempt of the input this was, from 1
   * @param status the HTTP status, or 0 when no response came
   * @param error why it is not a success, or null for a 2xx response read whole
   * @param exception the exception behind {@code error}, or null
   * @param duration from the call's start to its end, the body read
   * @param bytes body bytes received
   */
  public record AttemptEnded(
      String fetcher,
      long batch,
      int index,
      String url,
      String host,
      int attempt,
      int status,
      @Nullable ErrorKind error,
      @Nullable Throwable exception,
      Duration duration,
      long bytes) {

    /** Whether the call got a 2xx response, read whole. */
    public boolean isSuccess() {
      return error == null;
    }
  }

  /**
   * An input got its one result.
   *
   * @param fetcher the fetcher's name
   * @param batch the batch's number
   * @param result the input's result, as the batch's caller gets it
   */
  public record InputEnded(String fetcher, long batch, Result result) {}

  /** Which rate limiter a call waited for. */
  public enum Limiter {
    /** The fetcher's own, shared by every host ({@link BatchFetcher.Builder#rateLimit}). */
    GLOBAL,
    /** The host's ({@link BatchFetcher.Builder#perHost}, {@link BatchFetcher.Builder#host}). */
    HOST
  }

  /**
   * A call waited for a permit.
   *
   * @param fetcher the fetcher's name
   * @param batch the batch's number
   * @param index the input's index in its batch
   * @param host the host of the call
   * @param limiter whose permit it waited for
   * @param waited how long, from the moment it asked to the moment the permit is due
   */
  public record PermitWaited(
      String fetcher, long batch, int index, String host, Limiter limiter, Duration waited) {}

  /**
   * A failed attempt will be tried again.
   *
   * @param fetcher the fetcher's name
   * @param batch the batch's number
   * @param index the input's index in its batch
   * @param url the URL as the user gave it
   * @param host the host called
   * @param attempt the attempt that failed, from 1; the next one is {@code attempt + 1}
   * @param status its HTTP status, or 0 if no response came
   * @param error why it failed
   * @param delay how long until the input joins its host's queue again
   * @param serverAsked whether the delay is the server's {@code Retry-After}, not the backoff
   */
  public record RetryScheduled(
      String fetcher,
      long batch,
      int index,
      String url,
      String host,
      int attempt,
      int status,
      @Nullable ErrorKind error,
      Duration delay,
      boolean serverAsked) {

    /** Why, in words: {@code "503, Retry-After"}, {@code "429, backoff"}, {@code "CONNECT"}. */
    public String reason() {
      String what = status != 0 ? Integer.toString(status) : String.valueOf(error);
      return what + (serverAsked ? ", Retry-After" : ", backoff");
    }
  }

  /** Why a host was paused. */
  public enum PauseReason {
    /** A 429, 502, 503 or 504 with {@code Retry-After}. */
    RETRY_AFTER,
    /** Quota headers said nothing remains until a reset. */
    QUOTA_HEADERS,
    /** A 429 or 503 without a wait: the host is held for the retry policy's backoff. */
    BACKOFF,
    /**
     * Another fetcher sharing the {@link BatchFetcher.Builder#quotaStore quota store} was told to
     * wait: by a {@code Retry-After} or an exhausted quota.
     */
    SHARED
  }

  /**
   * A host was paused.
   *
   * @param fetcher the fetcher's name
   * @param host the host, {@code "name:port"}
   * @param pause how long from now
   * @param until when the pause ends, by the wall clock
   * @param reason why
   * @param blocked whether the wait was past {@link BatchFetcher.Builder#maxRetryAfter}: the host's
   *     inputs then end as {@link ErrorKind#RATE_LIMITED} unsent until it ends, instead of waiting
   */
  public record HostPaused(
      String fetcher,
      String host,
      Duration pause,
      Instant until,
      PauseReason reason,
      boolean blocked) {}

  /** Why a host's rate changed. */
  public enum RateReason {
    /**
     * Its server announced a lower quota in its headers, and the fetcher {@link
     * BatchFetcher.Builder#adaptToServerQuota adapts} to it.
     */
    SERVER_QUOTA,
    /** The fetcher learned the rate the server accepts from its 429s and quota headers. */
    LEARNED,
    /**
     * Another fetcher sharing the {@link BatchFetcher.Builder#quotaStore quota store} learned a
     * lower rate.
     */
    SHARED
  }

  /**
   * A host's rate changed.
   *
   * @param fetcher the fetcher's name
   * @param host the host, {@code "name:port"}
   * @param from the rate before, or null if unknown (a limiter of the user's)
   * @param to the rate from now on
   * @param reason why
   */
  public record RateChanged(
      String fetcher, String host, @Nullable RateLimit from, RateLimit to, RateReason reason) {}

  /**
   * A host was forgotten.
   *
   * @param fetcher the fetcher's name
   * @param host the host, {@code "name:port"}
   */
  public record HostEvicted(String fetcher, String host) {}
}
