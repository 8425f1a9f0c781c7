package dev.batchfetch.redis.internal;

import dev.batchfetch.RateLimit;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.UninterruptibleBlockingStrategy;
import io.github.bucket4j.VerboseResult;
import java.time.Clock;
import java.time.Instant;

/**
 * A {@link RateLimit} as a Bucket4j token bucket, and reservations on such a bucket.
 *
 * <p>The bucket keeps the fetcher's own semantics: a burst of {@code b} lets {@code b} calls start
 * at once and keeps half an interval back for the network's jitter, as the core's GCRA limiter
 * does. Bucket4j counts whole tokens, so a permit costs {@link #TOKENS_PER_PERMIT} tokens: the
 * bucket holds {@code 2b + 1} of them ({@code b + 1/2} permits) and refills two per interval; with
 * no burst it holds one permit, so calls start exactly one interval apart.
 *
 * <p>Stateless and thread-safe.
 */
public final class Buckets {
  /** Tokens a permit costs: two, so that a bucket can hold half a permit. */
  public static final long TOKENS_PER_PERMIT = 2;

  private Buckets() {}

  /**
   * The bucket for {@code rate}.
   *
   * @throws IllegalArgumentException if {@code rate} is unlimited, or so fast (a permit every
   *     nanosecond) or its burst so large that Bucket4j cannot count it
   */
  public static BucketConfiguration configuration(RateLimit rate) {
    if (rate.isUnlimited()) {
      throw new IllegalArgumentException("rate must be limited: an unlimited rate needs no quota");
    }
    try {
      long capacity =
          rate.burst() == 0
              ? TOKENS_PER_PERMIT
              : Math.addExact(Math.multiplyExact(rate.burst(), TOKENS_PER_PERMIT), 1);
      Bandwidth bandwidth =
          Bandwidth.builder()
              .capacity(capacity)
              .refillGreedy(Math.multiplyExact(rate.permits(), TOKENS_PER_PERMIT), rate.period())
              .initialTokens(capacity)
              .build();
      return BucketConfiguration.builder().addLimit(bandwidth).build();
    } catch (ArithmeticException | IllegalArgumentException e) {
      throw new IllegalArgumentException("rate " + rate + " is beyond what a bucket can count", e);
    }
  }

  /**
   * The most permits one reservation may take at once from a bucket for {@code rate}: what a full
   * bucket holds, {@code max(1, burst)}.
   */
  public static long maxPermits(RateLimit rate) {
    return Math.max(1, rate.burst());
  }

  /**
   * Takes {@code tokens} from {@code bucket} now or, when it holds too few, from its future, and
   * returns how many nanoseconds from now, on {@code clock}, the caller must wait before using
   * them; or -1, taking nothing, if that wait would exceed {@code timeoutNanos}. Never sleeps:
   * Bucket4j's blocking reservation (one atomic command, a compare-and-swap in Redis) is run with a
   * "blocking strategy" that only records the wait.
   *
   * <p>Bucket4j counts the wait from the moment the command read the clock, before its last round
   * trip to Redis; the wait returned counts from the answer, so that a slow or retried
   * compare-and-swap delays no call beyond the moment its permit is due.
   */
  public static long reserve(Bucket bucket, long tokens, long timeoutNanos, TimeMeter clock) {
    if (timeoutNanos <= 0) {
      return bucket.tryConsume(tokens) ? 0 : -1;
    }
    WaitRecorder recorder = new WaitRecorder();
    VerboseResult<Boolean> reserved =
        bucket.asBlocking().asVerbose().tryConsumeUninterruptibly(tokens, timeoutNanos, recorder);
    if (!reserved.getValue()) {
      return -1;
    }
    long due = reserved.getOperationTimeNanos() + recorder.nanos;
    return Math.max(0, due - clock.currentTimeNanos());
  }

  /** A local bucket for {@code rate}, on {@code clock}: the fallback while Redis is away. */
  public static Bucket local(RateLimit rate, TimeMeter clock) {
    return Bucket.builder()
        .addLimit(configuration(rate).getBandwidths()[0])
        .withCustomTimePrecision(clock)
        .build();
  }

  /**
   * {@code clock} as Bucket4j's clock: nanoseconds since the epoch, at the clock's resolution
   * (microseconds for the system clock on Linux; Bucket4j's default is milliseconds). Every process
   * drawing from one bucket must read the same time: wall-clock time, kept in step by NTP.
   */
  public static TimeMeter timeMeter(Clock clock) {
    return new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
      }

      @Override
      public boolean isWallClockBased() {
        return true;
      }
    };
  }

  /** Hears the wait Bucket4j would sleep, and does not sleep. Used by one call only. */
  private static final class WaitRecorder implements UninterruptibleBlockingStrategy {
    long nanos;

    @Override
    public void parkUninterruptibly(long nanosToPark) {
      nanos = nanosToPark;
    }
  }
}
