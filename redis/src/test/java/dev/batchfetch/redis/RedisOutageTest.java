package dev.batchfetch.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limiter when Redis stops and starts again, on a clock the test moves: it fails closed or
 * falls back as configured, leaves Redis alone until the retry interval is over, and uses it again
 * once it answers.
 */
@Timeout(60)
class RedisOutageTest {
  private static final long MS = 1_000_000;
  private static final Duration RETRY = Duration.ofSeconds(5);

  private final TestClock clock = new TestClock();
  private RedisServer server;

  @BeforeEach
  void startRedis() throws IOException {
    server = RedisServer.start();
  }

  @AfterEach
  void stopRedis() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void failsClosedWhileRedisIsAwayAndSharesAgainWhenItAnswers() throws IOException {
    try (RedisRateLimiters limiters =
        RedisRateLimiters.builder().uri(server.uri()).clock(clock).retryRedisAfter(RETRY).build()) {
      RateLimiter limiter = limiters.limiter("closed", RateLimit.perSecond(10));
      assertThat(limiter.reservePermission()).isZero();

      server.stop();

      Throwable first = catchUnavailable(limiter);
      assertThat(first).hasMessageContaining("fails closed").hasCauseInstanceOf(Exception.class);
      assertThat(limiters.isRedisAvailable()).isFalse();
      // Within the retry interval Redis is not asked: the same failure is reported at once.
      assertThat(catchUnavailable(limiter).getCause()).isSameAs(first.getCause());
      limiter.drainPermissions(); // never throws for Redis

      server.restart();
      assertThat(catchUnavailable(limiter).getCause())
          .as("Redis is asked again only after the retry interval")
          .isSameAs(first.getCause());

      awaitRedisAgain(limiters, limiter);
      // A restarted Redis has an empty store: a full bucket, at the shared rate again.
      assertThat(limiter.reservePermission()).isEqualTo(100 * MS);
    }
  }

  @Test
  void fallsBackToItsShareOfTheQuotaAndReturnsToRedis() throws IOException {
    try (RedisRateLimiters limiters =
        RedisRateLimiters.builder()
            .uri(server.uri())
            .clock(clock)
            .retryRedisAfter(RETRY)
            .fallBackToLocalShare(2)
            .build()) {
      RateLimiter limiter = limiters.limiter("fallback", RateLimit.perSecond(10));
      assertThat(limiter.reservePermission()).isZero();
      assertThat(limiter.reservePermission()).isEqualTo(100 * MS);

      server.stop();

      // Half the quota, 5 a second, from a bucket of its own.
      assertThat(limiter.reservePermission()).isZero();
      assertThat(limiter.reservePermission()).isEqualTo(200 * MS);
      assertThat(limiter.reservePermission()).isEqualTo(400 * MS);
      assertThat(limiters.isRedisAvailable()).isFalse();

      server.restart();
      awaitRedisAgain(limiters, limiter);
      assertThat(limiter.reservePermission()).isEqualTo(100 * MS);
    }
  }

  @Test
  void aUsersConnectionThatQueuesCommandsStillAnswersWithinTheRedisTimeout() {
    RedisClient client = RedisClient.create(server.uri());
    try (StatefulRedisConnection<String, byte[]> connection =
            client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        RedisRateLimiters limiters =
            RedisRateLimiters.builder()
                .connection(connection)
                .redisTimeout(Duration.ofMillis(200))
                .fallBackToLocalShare(4)
                .build()) {
      RateLimiter limiter = limiters.limiter("queued", RateLimit.perSecond(40));
      assertThat(limiter.reservePermission()).isZero();

      server.stop(); // Lettuce's default: commands wait for the reconnection

      long start = System.nanoTime();
      assertThat(limiter.reservePermission()).isZero(); // from the local bucket
      long elapsed = System.nanoTime() - start;
      assertThat(limiters.isRedisAvailable()).isFalse();
      assertThat(Duration.ofNanos(elapsed)).isLessThan(Duration.ofSeconds(5)); // not a hang
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void startsWhileRedisIsAway() {
    server.stop();
    try (RedisRateLimiters limiters =
        RedisRateLimiters.builder().uri(server.uri()).clock(clock).build()) {
      RateLimiter limiter = limiters.limiter("early", RateLimit.perSecond(10));

      assertThatThrownBy(limiter::reservePermission)
          .isInstanceOf(QuotaUnavailableException.class)
          .hasMessageContaining("127.0.0.1");
    }
  }

  /** Moves the clock past each retry interval until Redis, restarted, answers a reservation. */
  private void awaitRedisAgain(RedisRateLimiters limiters, RateLimiter limiter) {
    await("the limiter to use Redis again")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              clock.advance(RETRY);
              try {
                limiter.reservePermission();
              } catch (QuotaUnavailableException e) {
                return false;
              }
              return limiters.isRedisAvailable();
            });
  }

  private static Throwable catchUnavailable(RateLimiter limiter) {
    try {
      limiter.reservePermission();
    } catch (QuotaUnavailableException e) {
      return e;
    }
    throw new AssertionError("expected QuotaUnavailableException");
  }
}
