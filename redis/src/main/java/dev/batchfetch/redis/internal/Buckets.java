package dev.batchfetch.redis.internal;

import dev.batchfetch.RateLimit;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.UninterruptibleBlockingStrategy;
import io.github.bucket4j.VerboseResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A {@link RateLimit} as a Bucket4j token bucket, and reservations on such a bucket.
 *
 * <p>The bucket keeps the fetcher's own semantics: a burst of {@code b} lets {@code b} calls start
 * at once, and of the burst half an interval is kept back for the network's jitter, as the core's
 * GCRA limiter does. A shared bucket keeps back more when its {@code jitterAllowance} asks for it:
 * a permit taken at once from Redis is used a round trip later than the bucket counted it, while a
 * permit that had to wait is used on time, so the calls after a burst close in on it by as much as
 * the answer was late. Keeping back {@code jitterAllowance} worth of permits leaves the server's
 * bucket room for that. Bucket4j counts whole tokens, so a permit costs {@link #TOKENS_PER_PERMIT}
 * of them; a bucket holds at least one permit.
 *
 * <p>Stateless and thread-safe.
 */
public final class Buckets {
  /** Tokens a permit costs: a thousand, so that a bucket can hold a fraction of a permit. */
  public static final long TOKENS_PER_PERMIT = 1000;

  private Buckets() {}

  /**
   * The bucket for {@code rate}, keeping back half an interval or {@code jitterAllowance},
   * whichever is longer, of its burst.
   *
   * @throws IllegalArgumentException if {@code rate} is unlimited, or so fast or its burst so large
   *     that Bucket4j cannot count it
   */
  public static BucketConfiguration configuration(RateLimit rate, Duration jitterAllowance) {
    if (rate.isUnlimited()) {
      throw new IllegalArgumentException("rate must be limited: an unlimited rate needs no quota");
    }
    try {
      long capacity = capacity(rate, jitterAllowance);
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
   * bucket holds, at least 1.
   */
  public static long maxPermits(RateLimit rate, Duration jitterAllowance) {
    return capacity(rate, jitterAllowance) / TOKENS_PER_PERMIT;
  }

  /** Tokens: {@code burst + 1} permits less what is kept back, at least one permit. */
  private static long capacity(RateLimit rate, Duration jitterAllowance) {
    double allowance = seconds(jitterAllowance) * rate.permits() / seconds(rate.period());
    long keptBack =
        Math.max(TOKENS_PER_PERMIT / 2, (long) Math.ceil(allowance * TOKENS_PER_PERMIT));
    long full = Math.multiplyExact(Math.addExact(rate.burst(), 1), TOKENS_PER_PERMIT);
    return Math.max(TOKENS_PER_PERMIT, full - Math.min(full, keptBack));
  }

  private static double seconds(Duration duration) {
    return duration.getSeconds() + duration.getNano() / 1e9;
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

  /**
   * A local bucket for {@code rate}, on {@code clock}: the fallback while Redis is away. Its
   * permits are used as soon as they are taken, so it keeps back only half an interval.
   */
  public static Bucket local(RateLimit rate, TimeMeter clock) {
    return Bucket.builder()
        .addLimit(configuration(rate, Duration.ZERO).getBandwidths()[0])
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
