package dev.batchfetch.redis;

/**
 * Thrown by a {@link RedisRateLimiter} that fails closed when Redis does not answer: no permit was
 * reserved, so the call must not be sent. A {@code BatchFetcher} turns it into a result of the kind
 * {@code QUOTA_UNAVAILABLE}; the cause is what Redis, Lettuce or Bucket4j reported (a timeout, a
 * refused connection).
 *
 * <p>Instances are immutable once thrown.
 */
public final class QuotaUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  QuotaUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
