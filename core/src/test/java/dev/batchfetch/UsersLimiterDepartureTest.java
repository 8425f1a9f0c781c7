package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.internal.limit.Permit;
import dev.batchfetch.internal.limit.UserLimiter;
import dev.batchfetch.internal.time.FakeClock;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A user's limiter keeps its own schedule, shared with other processes: a request that leaves long
 * after its permit was due takes a new one as it leaves, so as not to bunch with those given since.
 */
class UsersLimiterDepartureTest {
  private final FakeClock clock = new FakeClock();
  private final AtomicInteger asked = new AtomicInteger();
  private final RateLimiter counting =
      new ForwardingRateLimiter(
          RateLimiter.of(
              "shared",
              RateLimiterConfig.custom()
                  .limitForPeriod(1_000)
                  .limitRefreshPeriod(Duration.ofSeconds(1))
                  .timeoutDuration(Duration.ZERO)
                  .build())) {
        @Override
        public long reservePermission() {
          asked.incrementAndGet();
          return 0;
        }
      };
  private final UserLimiter limiter = new UserLimiter(counting, Runnable::run, clock);

  @Test
  void aRequestLeavingSoonAfterItsPermitUsesIt() {
    Permit permit = limiter.reserve();
    clock.advance(Duration.ofMillis(100));

    assertThat(permit.departure(clock.nanoTime())).isEqualTo(clock.nanoTime());
    assertThat(asked).hasValue(1);
  }

  @Test
  void aRequestLeavingLongAfterItsPermitTakesANewOne() {
    Permit permit = limiter.reserve();
    clock.advance(Duration.ofMillis(101));

    assertThat(permit.departure(clock.nanoTime())).isEqualTo(clock.nanoTime());
    assertThat(asked).hasValue(2);
  }

  /**
   * A cold process's first permit: the answer came 600 ms after the question (a first connection to
   * the store), and the shared limiter may have counted the permit when it was asked. A request
   * leaving 50 ms after the answer is 650 ms late for it, and takes a new permit.
   */
  @Test
  void aPermitDueAtOnceIsDueWhenItWasAskedForNotWhenTheAnswerCame() {
    RateLimiter slowToAnswer =
        new ForwardingRateLimiter(counting) {
          @Override
          public long reservePermission() {
            if (asked.get() == 0) {
              clock.advance(Duration.ofMillis(600));
            }
            return super.reservePermission();
          }
        };
    UserLimiter user = new UserLimiter(slowToAnswer, Runnable::run, clock);
    Permit permit = user.reserve();
    clock.advance(Duration.ofMillis(50));

    assertThat(permit.departure(clock.nanoTime())).isEqualTo(clock.nanoTime());
    assertThat(asked).hasValue(2);
  }

  /** A permit that must wait is due when the answer says, counted from the answer. */
  @Test
  void aPermitThatMustWaitIsDueCountedFromTheAnswer() {
    RateLimiter slowToAnswer =
        new ForwardingRateLimiter(counting) {
          @Override
          public long reservePermission() {
            asked.incrementAndGet();
            clock.advance(Duration.ofMillis(600));
            return Duration.ofMillis(200).toNanos();
          }
        };
    UserLimiter user = new UserLimiter(slowToAnswer, Runnable::run, clock);
    Permit permit = user.reserve();
    clock.advance(Duration.ofMillis(250));

    assertThat(permit.waitNanos()).isEqualTo(Duration.ofMillis(200).toNanos());
    assertThat(permit.departure(clock.nanoTime())).isEqualTo(clock.nanoTime());
    assertThat(asked).hasValue(1);
  }

  /**
   * A limiter that described one permit a day when the fetcher took it (a Flink task manager's
   * share before its subtasks open) and 100 a second later: its requests leave 10 ms apart, not a
   * day apart through a gate kept from the first description.
   */
  @Test
  void theDepartureGateFollowsTheRateTheLimiterDescribesNow() {
    AtomicReference<RateLimiterConfig> config = new AtomicReference<>(onePer(Duration.ofDays(1)));
    RateLimiter changing =
        new ForwardingRateLimiter(counting) {
          @Override
          public RateLimiterConfig getRateLimiterConfig() {
            return config.get();
          }
        };
    UserLimiter user = new UserLimiter(changing, Runnable::run, clock);
    assertThat(user.reserve().departure(clock.nanoTime())).isEqualTo(clock.nanoTime());

    config.set(onePer(Duration.ofMillis(10)));
    long start = clock.nanoTime();
    long[] departures = new long[3];
    for (int i = 0; i < departures.length; i++) {
      departures[i] = user.reserve().departure(start) - start;
    }

    assertThat(departures).containsExactly(0, 10_000_000, 20_000_000);
  }

  private static RateLimiterConfig onePer(Duration period) {
    return RateLimiterConfig.custom().limitForPeriod(1).limitRefreshPeriod(period).build();
  }
}
