package dev.batchfetch.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchfetch.RateLimit;
import dev.batchfetch.redis.testing.RedisServer;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The limiter against a real Redis, on a clock the test moves: every reservation's wait is exact.
 * Each test uses a quota name of its own, so that the tests share one server.
 */
@Timeout(30)
class RedisRateLimiterTest {
  private static final long MS = 1_000_000;

  private static RedisServer server;

  private final TestClock clock = new TestClock();
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void startRedis() throws IOException {
    server = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    if (server != null) {
      server.close();
    }
  }

  @org.junit.jupiter.api.AfterEach
  void closeLimiters() throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
  }

  @Test
  void reservationsAreSpacedAtTheRate(TestInfo test) {
    RateLimiter limiter = limiters().limiter(quota(test), RateLimit.perSecond(10));

    assertThat(reserve(limiter, 5)).containsExactly(0L, 100 * MS, 200 * MS, 300 * MS, 400 * MS);
  }

  @Test
  void aBurstStartsThatManyAtOnceThenKeepsHalfAnIntervalBack(TestInfo test) {
    RateLimiter limiter =
        limitersWithoutJitterAllowance().limiter(quota(test), RateLimit.perSecond(10).withBurst(3));

    assertThat(reserve(limiter, 5)).containsExactly(0L, 0L, 0L, 50 * MS, 150 * MS);

    clock.advance(Duration.ofSeconds(10)); // the bucket is full again, and no fuller
    assertThat(reserve(limiter, 4)).containsExactly(0L, 0L, 0L, 50 * MS);
  }

  @Test
  void theJitterAllowanceKeepsBackWhatRedisLatenessNeeds(TestInfo test) {
    // 20/s: half an interval is 25 ms, less than the default 100 ms allowance, which is kept back.
    RateLimiter limiter = limiters().limiter(quota(test), RateLimit.perSecond(20).withBurst(5));
    assertThat(reserve(limiter, 6)).containsExactly(0L, 0L, 0L, 0L, 50 * MS, 100 * MS);

    // 5/s: half an interval, 100 ms, is what the allowance asks for too.
    RateLimiter slow =
        limiters().limiter(quota(test) + "-slow", RateLimit.perSecond(5).withBurst(2));
    assertThat(reserve(slow, 4)).containsExactly(0L, 0L, 100 * MS, 300 * MS);

    // 100/s: 100 ms is ten permits of a burst of 15; a reservation may take what is left at once.
    RateLimiter fast =
        limiters().limiter(quota(test) + "-fast", RateLimit.perSecond(100).withBurst(15));
    assertThat(reserve(fast, 7)).containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 10 * MS);
    assertThatThrownBy(() -> fast.reservePermission(7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("between 1 and 6");

    // Without the allowance, half an interval, as the fetcher's own limiter keeps.
    RateLimiter half =
        limitersWithoutJitterAllowance()
            .limiter(quota(test) + "-none", RateLimit.perSecond(20).withBurst(5));
    assertThat(reserve(half, 7)).containsExactly(0L, 0L, 0L, 0L, 0L, 25 * MS, 75 * MS);
  }

  @Test
  void twoLimitersOfOneQuotaShareOneBucket(TestInfo test) {
    // Two connections, as two processes would have; one the user's own.
    RedisClient client = RedisClient.create(server.uri());
    open.add(client::shutdown);
    StatefulRedisConnection<String, byte[]> connection =
        client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    open.add(connection);
    RedisRateLimiters other =
        track(RedisRateLimiters.builder().connection(connection).clock(clock).build());
    RateLimiter first = limiters().limiter(quota(test), RateLimit.perSecond(10));
    RateLimiter second = other.limiter(quota(test), RateLimit.perSecond(10));

    assertThat(
            List.of(
                first.reservePermission(),
                second.reservePermission(),
                first.reservePermission(),
                second.reservePermission()))
        .containsExactly(0L, 100 * MS, 200 * MS, 300 * MS);
  }

  @Test
  void quotasAndHostsHaveBucketsOfTheirOwn(TestInfo test) {
    RedisRateLimiters limiters = limiters();
    Function<String, RateLimiter> hosts = limiters.forHosts(quota(test), RateLimit.perSecond(10));

    assertThat(hosts.apply("a.example:443").reservePermission()).isZero();
    assertThat(hosts.apply("b.example:443").reservePermission()).isZero();
    assertThat(limiters.limiter(quota(test), RateLimit.perSecond(10)).reservePermission()).isZero();
    // A new limiter for a host the fetcher forgot draws from the same bucket.
    assertThat(hosts.apply("a.example:443").reservePermission()).isEqualTo(100 * MS);
  }

  @Test
  void aWaitBeyondTheTimeoutIsRefusedWithoutTakingAPermit(TestInfo test) {
    RedisRateLimiters limiters =
        track(
            RedisRateLimiters.builder()
                .uri(server.uri())
                .clock(clock)
                .timeout(Duration.ofMillis(250))
                .build());
    RateLimiter limiter = limiters.limiter(quota(test), RateLimit.perSecond(10));
    AtomicInteger refusals = new AtomicInteger();
    limiter.getEventPublisher().onFailure(event -> refusals.incrementAndGet());

    assertThat(reserve(limiter, 3)).containsExactly(0L, 100 * MS, 200 * MS);
    assertThat(limiter.reservePermission()).isEqualTo(-1); // due in 300 ms
    assertThat(limiter.reservePermission()).isEqualTo(-1);

    clock.advance(Duration.ofMillis(50));
    // Had a refusal taken a permit, this one would be due in 350 ms or later.
    assertThat(limiter.reservePermission()).isEqualTo(250 * MS);
    assertThat(refusals).hasValue(2);
  }

  @Test
  void aZeroTimeoutTakesOnlyWhatIsThereNow(TestInfo test) {
    RedisRateLimiters limiters =
        track(
            RedisRateLimiters.builder()
                .uri(server.uri())
                .clock(clock)
                .timeout(Duration.ZERO)
                .jitterAllowance(Duration.ZERO)
                .build());
    RateLimiter limiter = limiters.limiter(quota(test), RateLimit.perSecond(10).withBurst(2));

    assertThat(reserve(limiter, 3)).containsExactly(0L, 0L, -1L);
    clock.advance(Duration.ofMillis(50));
    assertThat(limiter.reservePermission()).isZero();
  }

  @Test
  void drainingSpendsTheBurstForEveryone(TestInfo test) {
    RateLimiter limiter = limiters().limiter(quota(test), RateLimit.perSecond(10).withBurst(3));
    assertThat(limiter.getMetrics().getAvailablePermissions()).isEqualTo(3);

    limiter.drainPermissions();

    assertThat(limiter.getMetrics().getAvailablePermissions()).isZero();
    assertThat(limiter.reservePermission()).isEqualTo(100 * MS);
  }

  @Test
  void describesItselfAsResilience4jExpects(TestInfo test) {
    RateLimiter limiter =
        limiters().forHosts(quota(test), RateLimit.perSecond(10).withBurst(3)).apply("h:80");

    assertThat(limiter.getName()).isEqualTo(quota(test) + "@h:80");
    assertThat(limiter.getTags()).containsEntry("quota", quota(test)).containsEntry("host", "h:80");
    assertThat(limiter.getRateLimiterConfig().getLimitForPeriod()).isEqualTo(4);
    assertThat(limiter.getRateLimiterConfig().getLimitRefreshPeriod())
        .isEqualTo(Duration.ofMillis(400));
    limiter.changeTimeoutDuration(Duration.ofSeconds(3));
    assertThat(limiter.getRateLimiterConfig().getTimeoutDuration())
        .isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> limiter.changeLimitForPeriod(5))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> limiter.reservePermission(4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("permits");
  }

  @Test
  void acquirePermissionWaitsForItsPermit(TestInfo test) {
    // The real clock: acquirePermission parks for the wait.
    RedisRateLimiters limiters = track(RedisRateLimiters.builder().uri(server.uri()).build());
    RateLimiter limiter = limiters.limiter(quota(test), RateLimit.perSecond(20));

    long start = System.nanoTime();
    assertThat(limiter.acquirePermission()).isTrue();
    assertThat(limiter.acquirePermission()).isTrue();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(40 * MS);
  }

  @Test
  void rejectsWhatNoQuotaCanBe() {
    RedisRateLimiters limiters = limiters();

    assertThatThrownBy(() -> limiters.limiter("a:b", RateLimit.perSecond(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("quota");
    assertThatThrownBy(() -> limiters.limiter("a", RateLimit.unlimited()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unlimited");
    assertThatThrownBy(() -> limiters.limiter(null, RateLimit.perSecond(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("quota");
    assertThatThrownBy(() -> RedisRateLimiters.builder().build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> RedisRateLimiters.builder().uri(server.uri()).uri(server.uri()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> RedisRateLimiters.builder().redisTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redisTimeout");
    assertThatThrownBy(() -> RedisRateLimiters.builder().jitterAllowance(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jitterAllowance");
    assertThatThrownBy(() -> RedisRateLimiters.builder().fallBackToLocalShare(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("instances");
  }

  private RedisRateLimiters limiters() {
    return track(RedisRateLimiters.builder().uri(server.uri()).clock(clock).build());
  }

  /** Limiters that keep back half an interval of a burst, as the fetcher's own limiter does. */
  private RedisRateLimiters limitersWithoutJitterAllowance() {
    return track(
        RedisRateLimiters.builder()
            .uri(server.uri())
            .clock(clock)
            .jitterAllowance(Duration.ZERO)
            .build());
  }

  private <T extends AutoCloseable> T track(T closeable) {
    open.add(closeable);
    return closeable;
  }

  private static String quota(TestInfo test) {
    return test.getTestMethod().orElseThrow().getName();
  }

  private static List<Long> reserve(RateLimiter limiter, int times) {
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      waits.add(limiter.reservePermission());
    }
    return waits;
  }
}
