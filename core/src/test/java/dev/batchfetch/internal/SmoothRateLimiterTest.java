package dev.batchfetch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.RateLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The limiter's schedule, on a clock the test drives. */
@Timeout(10)
class SmoothRateLimiterTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private final AtomicLong clock = new AtomicLong(1_000_000 * MS);

  @Test
  void withoutBurstSpacesPermitsOneIntervalApart() {
    SmoothRateLimiter limiter = limiter(RateLimit.perSecond(10)); // 100 ms

    assertThat(reserveAll(limiter, 4)).containsExactly(0L, 100 * MS, 200 * MS, 300 * MS);
  }

  @Test
  void neverLetsTwoPermitsStartCloserThanOneIntervalAfterIdling() {
    // Resilience4j's cycle-based limiter hands out the permit of one cycle late in it and the next
    // at the cycle boundary, almost together; a server with no burst refuses the second.
    SmoothRateLimiter limiter = limiter(RateLimit.perSecond(10));
    limiter.reservePermission();
    clock.addAndGet(190 * MS); // idle, then two calls arrive together

    assertThat(reserveAll(limiter, 2)).containsExactly(0L, 100 * MS);
  }

  @Test
  void burstLetsCallsGoAtOnceKeepingHalfAnIntervalForJitter() {
    SmoothRateLimiter limiter = limiter(RateLimit.perSecond(10).withBurst(3));

    // 3 - 1/2 intervals of tolerance: 3 at once (a server with burst 3 accepts 4), then the rate,
    // half an interval early.
    assertThat(reserveAll(limiter, 5)).containsExactly(0L, 0L, 0L, 50 * MS, 150 * MS);
  }

  @Test
  void refillsTheBurstAtTheSteadyRate() {
    SmoothRateLimiter limiter = limiter(RateLimit.perSecond(10).withBurst(3));
    reserveAll(limiter, 3);
    clock.addAndGet(200 * MS); // two intervals: two permits back

    assertThat(reserveAll(limiter, 3)).containsExactly(0L, 0L, 50 * MS);
  }

  @Test
  void keepsToTheRateOverALongRun() {
    SmoothRateLimiter limiter = limiter(RateLimit.perMinute(300).withBurst(10));
    long last = 0;
    for (int i = 0; i < 1_000; i++) {
      last = limiter.reservePermission();
    }
    // 1,000 permits at 5 a second, 10 of them (less half an interval) ahead of the schedule.
    assertThat(last).isEqualTo((1_000 - 1) * 200 * MS - (10 * 200 - 100) * MS);
  }

  @Test
  void refusesAReservationBeyondItsTimeoutWithoutTakingIt() {
    SmoothRateLimiter limiter =
        new SmoothRateLimiter("t", RateLimit.perSecond(10), Duration.ofMillis(150), clock::get);

    assertThat(reserveAll(limiter, 3)).containsExactly(0L, 100 * MS, -1L);
    clock.addAndGet(100 * MS);
    assertThat(limiter.reservePermission()).isEqualTo(100 * MS);
  }

  @Test
  void drainingSpendsTheBurst() {
    SmoothRateLimiter limiter = limiter(RateLimit.perSecond(10).withBurst(3));
    limiter.drainPermissions();

    assertThat(limiter.reservePermission()).isEqualTo(100 * MS);
  }

  @Test
  void holdingGivesNoPermitBeforeTheTimeAndThenOnlyTheRate() {
    SmoothRateLimiter limiter = limiter(RateLimit.perSecond(10).withBurst(3));
    limiter.holdUntil(clock.get() + 5_000 * MS);

    assertThat(reserveAll(limiter, 2)).containsExactly(5_000 * MS, 5_100 * MS);
  }

  @Test
  void reportsItsAvailablePermits() {
    SmoothRateLimiter limiter = limiter(RateLimit.perSecond(10).withBurst(3));
    assertThat(limiter.getMetrics().getAvailablePermissions()).isEqualTo(3);
    limiter.reservePermission();
    assertThat(limiter.getMetrics().getAvailablePermissions()).isEqualTo(2);
  }

  @Test
  void unlimitedNeverWaits() {
    SmoothRateLimiter limiter = limiter(RateLimit.unlimited());

    assertThat(reserveAll(limiter, 1_000)).containsOnly(0L);
  }

  private SmoothRateLimiter limiter(RateLimit limit) {
    return new SmoothRateLimiter("test", limit, Duration.ofDays(1), clock::get);
  }

  private static List<Long> reserveAll(SmoothRateLimiter limiter, int count) {
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      waits.add(limiter.reservePermission());
    }
    return waits;
  }
}
