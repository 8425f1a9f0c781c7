package dev.batchfetch;

/**
 * Why a {@link Result} is not a success. A result with an HTTP response that is not 2xx has the
 * kind {@link #HTTP_STATUS}; every other kind means no complete response was received.
 */
public enum ErrorKind {
  /** The input was not an absolute {@code http} or {@code https} URL, or was null. */
  INVALID_URL,
  /** The request could not be built (for example a body on a GET); nothing was sent. */
  INVALID_REQUEST,
  /** No connection could be made: refused, unknown host, no route. */
  CONNECT,
  /**
   * A connect, read, write or whole-call timeout expired, the input spent its whole {@link
   * BatchFetcher.Builder#inputTimeout} in flight, or the batch's deadline ({@link
   * BatchFetcher.Builder#batchTimeout}) passed before the input was done.
   */
  TIMEOUT,
  /** The TLS handshake failed. */
  TLS,
  /**
   * The exchange failed on the wire after it started, for example a connection cut mid-body, or a
   * response that is not HTTP (a status line outside 100..999).
   */
  IO,
  /**
   * The response body was longer than {@link BatchFetcher.Builder#maxBodySize}: the status and
   * headers are kept, the body was not read past the limit.
   */
  BODY_TOO_LARGE,
  /** The server answered with a status other than 2xx; the status, headers and body are kept. */
  HTTP_STATUS,
  /**
   * The server asked to wait longer than the fetcher honours ({@link
   * BatchFetcher.Builder#maxRetryAfter}), with {@code Retry-After} or an exhausted quota: the
   * result keeps the response that said so, or, for the host's later inputs, none was sent.
   */
  RATE_LIMITED,
  /**
   * The fetcher's own {@link BatchFetcher.Builder#rateLimiter rate limiter}, a quota shared through
   * a store such as Redis, could not give a permit (the store is down, say): nothing was sent.
   */
  QUOTA_UNAVAILABLE,
  /** The batch was cancelled, or the fetcher closed, while this call was in flight. */
  CANCELLED,
  /**
   * The call never started: the fetcher was closed, or the batch cancelled, before it was admitted.
   */
  REJECTED,
  /**
   * An unexpected exception or error, for example from an interceptor of the user's client or a
   * {@link BodyHandling#stream} handler.
   */
  UNEXPECTED
}
