package dev.batchfetch.flink.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchfetch.RateLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A task manager's share of a job's quota, on a clock the test drives. */
@Timeout(10)
class ShareLimiterTest {
  private static final long MS = 1_000_000;

  private final AtomicLong now = new AtomicLong(1_000 * MS);

  @Test
  void eachShareIsTheQuotaOverTheParallelism() {
    // 40 a second over 4 subtasks: 10 a second, a permit every 100 ms, for one share.
    ShareLimiter limiter = new ShareLimiter("q", RateLimit.perSecond(40), 4, now::get);
    limiter.addShare();

    assertThat(dueTimes(limiter, 4)).containsExactly(0L, 100L, 200L, 300L);
  }

  @Test
  void moreSharesGoFasterAndGivingOneBackSlowsDown() {
    ShareLimiter limiter = new ShareLimiter("q", RateLimit.perSecond(40), 4, now::get);
    limiter.addShare();
    limiter.addShare();
    assertThat(dueTimes(limiter, 3)).containsExactly(0L, 50L, 100L);

    limiter.removeShare(); // the next permit: 100 ms after the last, at 100 ms
    now.addAndGet(200 * MS);
    assertThat(dueTimes(limiter, 3)).containsExactly(0L, 100L, 200L);
  }

  @Test
  void theTaskManagersTogetherNeverExceedTheQuotaPlusItsBurst() {
    // 4 subtasks over 3 task managers (2 + 1 + 1), a quota of 20 a second with a burst of 8.
    RateLimit quota = RateLimit.perSecond(20).withBurst(8);
    List<ShareLimiter> managers = new ArrayList<>();
    for (int shares : new int[] {2, 1, 1}) {
      ShareLimiter limiter = new ShareLimiter("q", quota, 4, now::get);
      for (int i = 0; i < shares; i++) {
        limiter.addShare();
      }
      managers.add(limiter);
    }
    // Everyone asks as fast as it may for 3 seconds; count the permits due in each 1 s window.
    List<Long> due = new ArrayList<>();
    for (ShareLimiter limiter : managers) {
      for (int i = 0; i < 100; i++) {
        long wait = limiter.reservePermission();
        if (wait / MS <= 3_000) {
          due.add(wait / MS);
        }
      }
    }
    due.sort(null);
    int most = 0;
    for (int i = 0; i < due.size(); i++) {
      int in = 0;
      for (int j = i; j < due.size() && due.get(j) - due.get(i) < 1_000; j++) {
        in++;
      }
      most = Math.max(most, in);
    }
    assertThat(most).isLessThanOrEqualTo(20 + 8).isGreaterThanOrEqualTo(20);
  }

  @Test
  void aBurstIsSplitToo() {
    // A burst of 8 over 4 subtasks: 2 for one share, of which 100 ms (an interval) is kept back.
    ShareLimiter limiter = new ShareLimiter("q", RateLimit.perSecond(40).withBurst(8), 4, now::get);
    limiter.addShare();

    assertThat(dueTimes(limiter, 4)).containsExactly(0L, 0L, 100L, 200L);
  }

  @Test
  void withoutSharesNothingIsHandedOut() {
    ShareLimiter limiter = new ShareLimiter("q", RateLimit.perSecond(40), 4, now::get);
    assertThat(limiter.reservePermission()).isEqualTo(-1);

    limiter.addShare();
    limiter.removeShare();
    assertThat(limiter.reservePermission()).isEqualTo(-1);
    assertThatThrownBy(limiter::removeShare).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aWaitBeyondTheTimeoutReservesNothing() {
    ShareLimiter limiter = new ShareLimiter("q", RateLimit.perSecond(40), 4, now::get);
    limiter.addShare();
    limiter.changeTimeoutDuration(Duration.ofMillis(150));

    assertThat(dueTimes(limiter, 2)).containsExactly(0L, 100L);
    assertThat(limiter.reservePermission()).isEqualTo(-1);
    now.addAndGet(100 * MS);
    assertThat(limiter.reservePermission()).isEqualTo(100 * MS);
  }

  @Test
  void drainingSpendsTheBurst() {
    ShareLimiter limiter = new ShareLimiter("q", RateLimit.perSecond(40).withBurst(8), 4, now::get);
    limiter.addShare();
    limiter.drainPermissions();

    assertThat(limiter.reservePermission()).isEqualTo(100 * MS);
    assertThat(limiter.getMetrics().getAvailablePermissions()).isLessThan(0);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> new ShareLimiter("q", RateLimit.unlimited(), 4, now::get))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ShareLimiter("q", RateLimit.perSecond(1), 0, now::get))
        .hasMessageContaining("parallelism");
    ShareLimiter limiter = new ShareLimiter("q", RateLimit.perSecond(40), 4, now::get);
    assertThatThrownBy(() -> limiter.reservePermission(0)).hasMessageContaining("permits");
    assertThatThrownBy(() -> limiter.changeLimitForPeriod(3))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  /** When each of {@code n} permits reserved now is due, in ms from now. */
  private static List<Long> dueTimes(ShareLimiter limiter, int n) {
    List<Long> due = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      due.add(limiter.reservePermission() / MS);
    }
    return due;
  }
}
