package dev.batchfetch.flink.internal;

import dev.batchfetch.RateLimit;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A task manager's part of a job's quota, when no Redis shares it: each subtask of the operator
 * adds {@code 1/parallelism} of the quota's rate and of its burst (rounded down) with {@link
 * #addShare()}, and takes it back when it closes, so that the task managers together never exceed
 * the quota, however the subtasks are spread over them.
 *
 * <p>A generic cell rate algorithm, as the fetcher's own limiter: a permit is due when it is no
 * more than the burst's tolerance ahead of the steady schedule, of which half an interval is kept
 * back for the network's jitter. {@link #reservePermission(int)} takes a permit now or from the
 * future and answers the wait, never sleeping.
 *
 * <p>Thread-safe.
 */
public final class ShareLimiter implements RateLimiter {
  /**
   * Of the burst, this much is kept back, as {@code batchfetch-redis} keeps its jitter allowance:
   * the fetcher cannot shift the schedule of a limiter of the user's for calls that leave late, so
   * the burst leaves room for them.
   */
  static final long JITTER_ALLOWANCE_NANOS = 100_000_000;

  private final String name;
  private final RateLimit quota;
  private final int parallelism;
  private final LongSupplier nanoTime;
  private final LimiterEvents events = new LimiterEvents();
  private volatile RateLimiterConfig config;

  // Guarded by this.
  private int shares;
  private long intervalNanos;
  private long toleranceNanos;
  private long theoreticalArrival;

  /**
   * @param quota the whole job's quota
   * @param parallelism the operator's subtasks, each of which adds a share
   * @param nanoTime the clock, {@link System#nanoTime()} but in tests
   */
  public ShareLimiter(String name, RateLimit quota, int parallelism, LongSupplier nanoTime) {
    if (quota.isUnlimited()) {
      throw new IllegalArgumentException("quota must be limited");
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
    }
    this.name = name;
    this.quota = quota;
    this.parallelism = parallelism;
    this.nanoTime = nanoTime;
    this.theoreticalArrival = nanoTime.getAsLong();
    this.config = configFor(0, Duration.ofDays(1));
  }

  /** One more subtask's share; returns the subtasks now sharing this limiter. */
  public synchronized int addShare() {
    return reshape(shares + 1);
  }

  /** One subtask's share less; returns the subtasks still sharing this limiter. */
  public synchronized int removeShare() {
    if (shares == 0) {
      throw new IllegalStateException("no share to remove");
    }
    return reshape(shares - 1);
  }

  private int reshape(int newShares) {
    long now = nanoTime.getAsLong();
    long oldInterval = intervalNanos;
    shares = newShares;
    if (shares == 0) {
      intervalNanos = 0;
      toleranceNanos = 0;
    } else {
      intervalNanos = interval(shares);
      long burst = quota.burst() * shares / parallelism;
      long keptBack = Math.max(intervalNanos / 2, JITTER_ALLOWANCE_NANOS);
      toleranceNanos = Math.max(0, burst * intervalNanos - keptBack);
      if (oldInterval > 0 && theoreticalArrival - now > 0) {
        // The next permit: one interval of the new rate after the last one handed out.
        theoreticalArrival = Math.max(now, theoreticalArrival - oldInterval) + intervalNanos;
      }
    }
    config = configFor(shares, config.getTimeoutDuration());
    return shares;
  }

  /**
   * Reserves {@code permits} permits and answers how many nanoseconds to wait before using them, or
   * -1, reserving nothing, if that is longer than the timeout or no subtask holds a share.
   *
   * @throws IllegalArgumentException if {@code permits} is less than 1
   */
  @Override
  public long reservePermission(int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1, was " + permits);
    }
    long wait;
    synchronized (this) {
      long now = nanoTime.getAsLong();
      if (shares == 0) {
        wait = -1;
      } else {
        long due = theoreticalArrival - toleranceNanos;
        wait = Math.max(0, due - now);
        if (wait > config.getTimeoutDuration().toNanos()) {
          wait = -1;
        } else {
          theoreticalArrival = Math.max(theoreticalArrival, now) + permits * intervalNanos;
        }
      }
    }
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
   * @return false if they could not be reserved within the timeout, or the thread was interrupted
   *     while it waited
   */
  @Override
  public boolean acquirePermission(int permits) {
    long wait = reservePermission(permits);
    if (wait <= 0) {
      return wait == 0;
    }
    long deadline = nanoTime.getAsLong() + wait;
    for (long left = wait; left > 0; left = deadline - nanoTime.getAsLong()) {
      LockSupport.parkNanos(this, left);
      if (Thread.currentThread().isInterrupted()) {
        return false;
      }
    }
    return true;
  }

  /** Spends the burst: the next permit is due an interval from now. */
  @Override
  public synchronized void drainPermissions() {
    long now = nanoTime.getAsLong();
    theoreticalArrival = Math.max(theoreticalArrival, now + toleranceNanos + intervalNanos);
  }

  @Override
  public void changeTimeoutDuration(Duration timeout) {
    synchronized (this) {
      config = RateLimiterConfig.from(config).timeoutDuration(timeout).build();
    }
  }

  /** Not supported: the rate follows the quota and the shares. */
  @Override
  public void changeLimitForPeriod(int limitForPeriod) {
    throw new UnsupportedOperationException("the rate of " + name + " follows its shares");
  }

  @Override
  public String getName() {
    return name;
  }

  /**
   * The nearest window-based description: one permit per interval at the current shares (a window
   * of a day with one permit while no subtask holds a share), and the timeout.
   */
  @Override
  public RateLimiterConfig getRateLimiterConfig() {
    return config;
  }

  @Override
  public Map<String, String> getTags() {
    return Map.of();
  }

  @Override
  public Metrics getMetrics() {
    return new Metrics() {
      @Override
      public int getNumberOfWaitingThreads() {
        return 0;
      }

      @Override
      public int getAvailablePermissions() {
        synchronized (ShareLimiter.this) {
          if (shares == 0) {
            return 0;
          }
          long slack = nanoTime.getAsLong() - (theoreticalArrival - toleranceNanos);
          return (int) Math.max(Integer.MIN_VALUE, Math.floorDiv(slack, intervalNanos) + 1);
        }
      }
    };
  }

  @Override
  public EventPublisher getEventPublisher() {
    return events;
  }

  /** The subtasks sharing this limiter now. */
  public synchronized int shares() {
    return shares;
  }

  private RateLimiterConfig configFor(int shares, Duration timeout) {
    Duration period = shares == 0 ? Duration.ofDays(1) : Duration.ofNanos(interval(shares));
    return RateLimiterConfig.custom()
        .limitForPeriod(1)
        .limitRefreshPeriod(period)
        .timeoutDuration(timeout)
        .build();
  }

  /** The interval between two permits for {@code shares} of the parallelism, at least 1 ns. */
  private long interval(int shares) {
    double nanos =
        (double) quota.period().toNanos() / (double) quota.permits() * parallelism / shares;
    return (long) Math.max(1, Math.min(1e17, Math.ceil(nanos))); // 1e17 ns: three years
  }

  @Override
  public String toString() {
    return "ShareLimiter{" + name + ", " + quota + ", " + shares() + "/" + parallelism + "}";
  }
}
