package dev.batchfetch.redis;

import dev.batchfetch.RateLimit;
import dev.batchfetch.redis.internal.Availability;
import dev.batchfetch.redis.internal.Buckets;
import dev.batchfetch.redis.internal.LimiterEvents;
import dev.batchfetch.redis.internal.RateLimiterConfigs;
import dev.batchfetch.redis.internal.RedisConnection;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * A Resilience4j {@link RateLimiter} whose permits come from a token bucket in Redis, shared by
 * every process that uses the same quota name (and host): four instances of an application with
 * {@code RateLimit.perMinute(300)} send 300 calls a minute together, not 1,200. Made by {@link
 * RedisRateLimiters}.
 *
 * <pre>{@code
 * RateLimiter limiter = redis.limiter("github", RateLimit.perMinute(300).withBurst(10));
 * long waitNanos = limiter.reservePermission(); // -1: not within the timeout
 * }</pre>
 *
 * <p>{@link #reservePermission()} takes a permit atomically in Redis (Bucket4j's compare-and-swap),
 * now or from the bucket's future, and returns how long to wait before using it; it never sleeps. A
 * wait longer than the {@linkplain RateLimiterConfig#getTimeoutDuration() timeout} takes nothing
 * and returns -1. The bucket keeps the semantics of the fetcher's own limiter: a burst of {@code b}
 * lets {@code b} calls start at once, then one per interval; less of the burst where the
 * {@linkplain RedisRateLimiters.Builder#jitterAllowance jitter allowance} is more than half an
 * interval.
 *
 * <p>When Redis does not answer within its timeout, the limiter does what {@link
 * RedisRateLimiters.Builder} said: fail closed ({@link #reservePermission()} throws {@link
 * QuotaUnavailableException}) or fall back to a local bucket at a share of the quota. Either way
 * Redis is asked again only once per retry interval, and used again as soon as it answers.
 *
 * <p>Thread-safe. Holds no connection of its own: closing the {@link RedisRateLimiters} that made
 * it ends its use of Redis.
 */
public final class RedisRateLimiter implements RateLimiter {
  private final String name;
  private final RateLimit rate;
  private final long maxPermits;
  private final Bucket shared;
  private final @Nullable Bucket local;
  private final Availability redis;
  private final RedisConnection connection;
  private final TimeMeter clock;
  private final Map<String, String> tags;
  private final LimiterEvents events = new LimiterEvents();
  private final AtomicInteger waitingThreads = new AtomicInteger();
  private volatile RateLimiterConfig config;

  RedisRateLimiter(
      String name,
      RateLimit rate,
      long maxPermits,
      Duration timeout,
      Bucket shared,
      @Nullable Bucket local,
      Availability redis,
      RedisConnection connection,
      TimeMeter clock,
      Map<String, String> tags) {
    this.name = name;
    this.rate = rate;
    this.maxPermits = maxPermits;
    this.shared = shared;
    this.local = local;
    this.redis = redis;
    this.connection = connection;
    this.clock = clock;
    this.tags = tags;
    this.config = RateLimiterConfigs.nearestWindow(rate, timeout);
  }

  /**
   * Reserves {@code permits} permits and returns how many nanoseconds the caller must wait before
   * using them, 0 to go now, or -1, reserving nothing, if that wait would exceed the timeout.
   *
   * @throws IllegalArgumentException if {@code permits} is less than 1 or more than a full bucket
   *     holds: {@code max(1, burst)}, less what the jitter allowance keeps back
   * @throws QuotaUnavailableException if Redis did not answer and this limiter fails closed
   */
  @Override
  public long reservePermission(int permits) {
    if (permits < 1 || permits > maxPermits) {
      throw new IllegalArgumentException(
          "permits must be between 1 and " + maxPermits + ", was " + permits);
    }
    long tokens = permits * Buckets.TOKENS_PER_PERMIT;
    long timeout = config.getTimeoutDuration().toNanos();
    long wait = withBucket(bucket -> Buckets.reserve(bucket, tokens, timeout, clock));
    if (events.hasConsumers()) {
      if (wait < 0) {
        events.failure(name, permits);
      } else {
        events.success(name, permits);
      }
    }
    return wait;
  }

  /**
   * Reserves {@code permits} permits and parks the calling thread until they are due.
   *
   * @return false if the wait would exceed the timeout (nothing is reserved), or the thread was
   *     interrupted while it waited (the permits are spent; the interrupt flag stays set)
   * @throws IllegalArgumentException as {@link #reservePermission(int)}
   * @throws QuotaUnavailableException as {@link #reservePermission(int)}
   */
  @Override
  public boolean acquirePermission(int permits) {
    long wait = reservePermission(permits);
    if (wait <= 0) {
      return wait == 0;
    }
    waitingThreads.incrementAndGet();
    try {
      long deadline = System.nanoTime() + wait;
      for (long left = wait; left > 0; left = deadline - System.nanoTime()) {
        LockSupport.parkNanos(this, left);
        if (Thread.currentThread().isInterrupted()) {
          return false;
        }
      }
      return true;
    } finally {
      waitingThreads.decrementAndGet();
    }
  }

  /**
   * Spends every permit the bucket holds now, for every process sharing it: the next one comes an
   * interval later. For the moment a server answers "too many requests". Never throws for Redis:
   * while it does not answer, this drains the local bucket, if any, or does nothing.
   */
  @Override
  public void drainPermissions() {
    long drained;
    try {
      drained = withBucket(Bucket::tryConsumeAsMuchAsPossible);
    } catch (QuotaUnavailableException e) {
      return; // failing closed: no permit is handed out anyway
    }
    if (events.hasConsumers()) {
      events.drained(name, (int) Math.min(Integer.MAX_VALUE, drained / Buckets.TOKENS_PER_PERMIT));
    }
  }

  /**
   * Runs {@code operation} on the shared bucket in Redis, or on the local one while Redis does not
   * answer; throws if there is none.
   */
  private long withBucket(ToLongFunction<Bucket> operation) {
    if (redis.mayAsk()) {
      try {
        connection.open();
        long result = operation.applyAsLong(shared);
        redis.answered();
        return result;
      } catch (RuntimeException e) {
        redis.failed(e);
      }
    }
    if (local != null) {
      return operation.applyAsLong(local);
    }
    RuntimeException cause = redis.lastFailure();
    throw new QuotaUnavailableException(
        "quota "
            + name
            + ": "
            + redis.redis()
            + " did not answer, and the limiter fails closed: no permit was reserved",
        cause == null ? new IllegalStateException("no answer from Redis") : cause);
  }

  @Override
  public void changeTimeoutDuration(Duration timeout) {
    config = RateLimiterConfig.from(config).timeoutDuration(timeout).build();
  }

  /** What a full bucket holds: the most permits one reservation may take. */
  long maxPermits() {
    return maxPermits;
  }

  /** Not supported: the rate lives in Redis, shared with other processes. */
  @Override
  public void changeLimitForPeriod(int limitForPeriod) {
    throw new UnsupportedOperationException("the rate of shared quota " + name + " is fixed");
  }

  /** The quota's name, and its host's if it is a host's. */
  @Override
  public String getName() {
    return name;
  }

  /**
   * The nearest window-based description: {@code burst + 1} permits per {@code (burst + 1)}
   * intervals, and the timeout.
   */
  @Override
  public RateLimiterConfig getRateLimiterConfig() {
    return config;
  }

  /** {@code quota}, and {@code host} for a host's limiter. */
  @Override
  public Map<String, String> getTags() {
    return tags;
  }

  /**
   * Metrics. {@link Metrics#getAvailablePermissions()} asks Redis (or the local bucket while Redis
   * is away, or answers 0 when failing closed); it is negative when permits are reserved ahead.
   */
  @Override
  public Metrics getMetrics() {
    return new Metrics() {
      @Override
      public int getNumberOfWaitingThreads() {
        return waitingThreads.get();
      }

      @Override
      public int getAvailablePermissions() {
        long tokens;
        try {
          tokens = withBucket(Bucket::getAvailableTokens);
        } catch (QuotaUnavailableException e) {
          return 0;
        }
        long permits = Math.floorDiv(tokens, Buckets.TOKENS_PER_PERMIT);
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, permits));
      }
    };
  }

  @Override
  public EventPublisher getEventPublisher() {
    return events;
  }

  @Override
  public String toString() {
    return "RedisRateLimiter{" + name + ", " + rate + ", " + redis.redis() + "}";
  }
}
