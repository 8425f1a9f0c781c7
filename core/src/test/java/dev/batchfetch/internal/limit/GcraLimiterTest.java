package dev.batchfetch.internal.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.RateLimit;
import dev.batchfetch.internal.time.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The limiter's schedule, on a clock the test drives. */
@Timeout(10)
class GcraLimiterTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private final FakeClock clock = new FakeClock();

  @Test
  void withoutBurstSpacesPermitsOneIntervalApart() {
    GcraLimiter limiter = limiter(RateLimit.perSecond(10)); // 100 ms

    assertThat(reserveAll(limiter, 4)).containsExactly(0L, 100 * MS, 200 * MS, 300 * MS);
  }

  @Test
  void neverLetsTwoPermitsStartCloserThanOneIntervalAfterIdling() {
    // Resilience4j's cycle-based limiter hands out the permit of one cycle late in it and the next
    // at the cycle boundary, almost together; a server with no burst refuses the second.
    GcraLimiter limiter = limiter(RateLimit.perSecond(10));
    waitOf(limiter.reserve());
    advance(190 * MS); // idle, then two calls arrive together

    assertThat(reserveAll(limiter, 2)).containsExactly(0L, 100 * MS);
  }

  @Test
  void burstLetsCallsGoAtOnceKeepingHalfAnIntervalForJitter() {
    GcraLimiter limiter = limiter(RateLimit.perSecond(10).withBurst(3));

    // 3 - 1/2 intervals of tolerance: 3 at once (a server with burst 3 accepts 4), then the rate,
    // half an interval early.
    assertThat(reserveAll(limiter, 5)).containsExactly(0L, 0L, 0L, 50 * MS, 150 * MS);
  }

  @Test
  void followsARateDownAndUpGoingOnFromThePermitsItPromised() {
    GcraLimiter limiter = limiter(RateLimit.unlimited());
    assertThat(reserveAll(limiter, 3)).containsExactly(0L, 0L, 0L);

    limiter.follow(RateLimit.perSecond(10)); // idle: starts afresh at the new rate
    assertThat(reserveAll(limiter, 2)).containsExactly(0L, 100 * MS);
    // A permit is promised at 100 ms; a much slower rate goes on one new interval after it.
    limiter.follow(RateLimit.of(1, Duration.ofSeconds(10)));
    assertThat(waitOf(limiter.reserve())).isEqualTo(10_100 * MS);
    // Faster again at once: the schedule planned at the slow rate does not hold the host. The
    // permit promised at 10.1 s is not handed out again: the next comes one new interval after.
    limiter.follow(RateLimit.perSecond(20));
    assertThat(waitOf(limiter.reserve())).isEqualTo(10_150 * MS);
    assertThat(limiter.rateLimit()).isEqualTo(RateLimit.perSecond(20));
  }

  @Test
  void refillsTheBurstAtTheSteadyRate() {
    GcraLimiter limiter = limiter(RateLimit.perSecond(10).withBurst(3));
    reserveAll(limiter, 3);
    advance(200 * MS); // two intervals: two permits back

    assertThat(reserveAll(limiter, 3)).containsExactly(0L, 0L, 50 * MS);
  }

  @Test
  void keepsToTheRateOverALongRun() {
    GcraLimiter limiter = limiter(RateLimit.perMinute(300).withBurst(10));
    long last = 0;
    for (int i = 0; i < 1_000; i++) {
      last = waitOf(limiter.reserve());
    }
    // 1,000 permits at 5 a second, 10 of them (less half an interval) ahead of the schedule.
    assertThat(last).isEqualTo((1_000 - 1) * 200 * MS - (10 * 200 - 100) * MS);
  }

  @Test
  void refusesAReservationBeyondItsTimeoutWithoutTakingIt() {
    GcraLimiter limiter =
        new GcraLimiter("t", RateLimit.perSecond(10), Duration.ofMillis(150), clock);

    assertThat(reserveAll(limiter, 3)).containsExactly(0L, 100 * MS, -1L);
    advance(100 * MS);
    assertThat(waitOf(limiter.reserve())).isEqualTo(100 * MS);
  }

  @Test
  void drainingSpendsTheBurst() {
    GcraLimiter limiter = limiter(RateLimit.perSecond(10).withBurst(3));
    limiter.drain();

    assertThat(waitOf(limiter.reserve())).isEqualTo(100 * MS);
  }

  @Test
  void holdingGivesNoPermitBeforeTheTimeAndThenOnlyTheRate() {
    GcraLimiter limiter = limiter(RateLimit.perSecond(10).withBurst(3));
    limiter.holdUntil(clock.nanoTime() + 5_000 * MS);

    assertThat(reserveAll(limiter, 2)).containsExactly(5_000 * MS, 5_100 * MS);
  }

  @Test
  void aRequestThatLeftLateShiftsTheScheduleOnceNotForEachLateRequest() {
    GcraLimiter limiter = limiter(RateLimit.perSecond(10));
    Permit first = limiter.reserve();
    Permit second = limiter.reserve(); // due at 100 ms

    first.leftLate(30 * MS); // the server's bucket starts 30 ms later than the limiter's
    assertThat(second.shiftSinceReserved()).isEqualTo(30 * MS);
    second.rebase();
    second.leftLate(30 * MS); // as late as the first: the server's schedule is the same
    assertThat(waitOf(limiter.reserve())).isEqualTo(230 * MS);
    assertThat(second.shiftSinceReserved()).isZero();
  }

  @Test
  void aPermitUsedLateKeepsTheNextOneIntervalBehindIt() {
    GcraLimiter limiter = limiter(RateLimit.perSecond(10).withBurst(3));
    Permit permit = limiter.reserve();

    permit.usedAt(clock.nanoTime() + 1_000 * MS); // it also waited for another limiter

    assertThat(waitOf(limiter.reserve())).isEqualTo(1_100 * MS - 250 * MS);
  }

  @Test
  void unlimitedNeverWaits() {
    GcraLimiter limiter = limiter(RateLimit.unlimited());

    assertThat(reserveAll(limiter, 1_000)).containsOnly(0L);
  }

  private GcraLimiter limiter(RateLimit limit) {
    return new GcraLimiter("test", limit, Duration.ofDays(1), clock);
  }

  private void advance(long nanos) {
    clock.advance(Duration.ofNanos(nanos));
  }

  private static long waitOf(Permit permit) {
    return permit == null ? -1 : permit.waitNanos();
  }

  private static List<Long> reserveAll(GcraLimiter limiter, int count) {
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      waits.add(waitOf(limiter.reserve()));
    }
    return waits;
  }
}
