package dev.batchfetch.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchfetch.QuotaStore.Learned;
import dev.batchfetch.redis.testing.RedisServer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RedisQuotaStore} against a real redis-server: two stores stand for two processes (each has
 * its own connection, copy and thread; what one learns reaches the other only through Redis).
 */
@Timeout(60)
class RedisQuotaStoreTest {
  private static final Duration SOON = Duration.ofSeconds(5);
  private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

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

  private RedisQuotaStore.Builder store() {
    return RedisQuotaStore.builder()
        .uri(server.uri())
        .refreshEvery(Duration.ofMillis(50))
        .retryRedisAfter(Duration.ofMillis(200));
  }

  @Test
  void whatOneLearnsTheOtherReadsWithinARefresh() {
    try (RedisQuotaStore a = store().build();
        RedisQuotaStore b = store().build()) {
      assertThat(b.read("api.test:443")).isNull();

      a.write("api.test:443", new Learned(4.5, null, t0));

      assertThat(a.read("api.test:443")).as("its own copy, at once").isNotNull();
      await().atMost(SOON).until(() -> b.read("api.test:443") != null);
      assertThat(b.read("api.test:443")).isEqualTo(new Learned(4.5, null, t0));
    }
  }

  @Test
  void aStoreBuiltLaterStartsWithWhatIsShared() {
    try (RedisQuotaStore a = store().build()) {
      a.write("api.test:443", new Learned(4.5, t0.plusSeconds(3), t0));
      a.write("other.test:80", new Learned(2, null, t0));
      await().atMost(SOON).until(() -> readsBack("other.test:80"));

      try (RedisQuotaStore later = store().build()) {
        assertThat(later.read("api.test:443")).as("no wait: build() loaded it").isNotNull();
        assertThat(later.read("api.test:443").pausedUntil()).isEqualTo(t0.plusSeconds(3));
        assertThat(later.read("other.test:80")).isNotNull();
      }
    }
  }

  @Test
  void writersRacingKeepTheNewerRateAndTheLongerPause() {
    try (RedisQuotaStore a = store().build();
        RedisQuotaStore b = store().build();
        RedisQuotaStore c = store().build()) {
      a.write("h:80", new Learned(8, t0.plusSeconds(30), t0));
      await().atMost(SOON).until(() -> readsBack("h:80"));
      b.write("h:80", new Learned(3, null, t0.plusSeconds(1))); // newer, no pause
      await().atMost(SOON).until(() -> c.read("h:80") != null && c.read("h:80").rate() == 3);

      assertThat(c.read("h:80")).isEqualTo(new Learned(3, t0.plusSeconds(30), t0.plusSeconds(1)));
      a.write("h:80", new Learned(9, null, t0.minusSeconds(5))); // older: its rate loses
      await().pollDelay(Duration.ofMillis(300)).atMost(SOON).until(() -> true);
      assertThat(c.read("h:80").rate()).isEqualTo(3);
    }
  }

  @Test
  void entriesExpire() {
    try (RedisQuotaStore a = store().expireAfter(Duration.ofMillis(300)).build();
        RedisQuotaStore b = store().build()) {
      a.write("h:80", new Learned(8, null, t0));
      await().atMost(SOON).until(() -> b.read("h:80") != null);

      await().atMost(SOON).until(() -> b.read("h:80") == null);
    }
  }

  @Test
  void withRedisGoneItGoesOnWithItsCopyAndWritesWhenRedisIsBack() throws IOException {
    try (RedisQuotaStore a = store().build();
        RedisQuotaStore b = store().build()) {
      a.write("h:80", new Learned(8, null, t0));
      await().atMost(SOON).until(() -> b.read("h:80") != null);

      server.stop();
      a.write("h:80", new Learned(5, null, t0.plusSeconds(1)));
      await().atMost(SOON).until(() -> !a.isRedisAvailable());
      assertThat(a.read("h:80").rate()).as("its copy").isEqualTo(5);
      assertThat(b.read("h:80").rate()).as("the other's copy").isEqualTo(8);

      server.restart(); // empty: what a had pending is written again
      await().atMost(SOON).until(a::isRedisAvailable);
      await().atMost(SOON).until(() -> b.read("h:80") != null && b.read("h:80").rate() == 5);
    }
  }

  @Test
  void aStoreWhoseRedisNeverAnswersStillAnswersAtOnce() {
    server.stop();
    long start = System.nanoTime();
    try (RedisQuotaStore alone = store().connectTimeout(Duration.ofMillis(300)).build()) {
      alone.write("h:80", new Learned(8, null, t0));

      assertThat(alone.read("h:80").rate()).isEqualTo(8);
      assertThat(alone.read("never.test:80")).isNull();
      assertThat(alone.isRedisAvailable()).isFalse();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  /** Whether a fresh store reads {@code host} from Redis: it was written through. */
  private boolean readsBack(String host) {
    try (RedisQuotaStore probe = store().build()) {
      return probe.read(host) != null;
    }
  }
}
