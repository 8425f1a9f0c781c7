package dev.batchfetch.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.HostLimits;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.redis.testing.RedisServer;
import dev.batchfetch.testing.QuotaModel;
import dev.batchfetch.testing.QuotaServer;
import dev.batchfetch.testing.ScriptedServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What quota discovery learns, shared through a real Redis by fetchers that configure no rate,
 * against a loopback server that enforces a token bucket. The fetchers run in this JVM, but each
 * has a {@link RedisQuotaStore} of its own (its own connection, copy and thread): what one learns
 * reaches another only through Redis, as between processes.
 */
@Timeout(120)
class SharedLearnedQuotaTest {
  private static final int URLS = 80;

  private RedisServer redis;

  @BeforeEach
  void startRedis() throws IOException {
    redis = RedisServer.start();
  }

  @AfterEach
  void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  private RedisQuotaStore store() {
    return RedisQuotaStore.builder().uri(redis.uri()).refreshEvery(Duration.ofMillis(100)).build();
  }

  @Test
  void aFetcherStartingAfterAnotherLearnedTheQuotaDrawsFarFewer429s() throws IOException {
    try (QuotaServer server =
            QuotaServer.start(
                new QuotaModel.TokenBucket(20, 10, false, false), Duration.ofMillis(20));
        RedisQuotaStore firstStore = store()) {
      long first = run(server, "first", BatchFetcher.builder().quotaStore(firstStore));
      long later;
      try (RedisQuotaStore laterStore = store()) { // built after: a process starting now
        later = run(server, "later", BatchFetcher.builder().quotaStore(laterStore));
      }
      long alone = run(server, "alone", BatchFetcher.builder());

      System.out.printf(
          "429s for %d URLs, 20/s burst 10, async(16), no rate configured: first %d, later on"
              + " the shared store %d, later without it %d%n",
          URLS, first, later, alone);
      assertThat(first).as("the first finds the quota").isPositive();
      assertThat(later)
          .as("the later one starts at the learned rate")
          .isLessThanOrEqualTo(first / 4);
      assertThat(alone).as("without the store it finds it again").isGreaterThan(later);
    }
  }

  @Test
  void aRetryAfterToldToOneFetcherPausesTheOther() throws Exception {
    try (ScriptedServer server = ScriptedServer.start();
        RedisQuotaStore runningStore = store();
        RedisQuotaStore toldStore = store();
        BatchFetcher running =
            BatchFetcher.builder()
                .policy(ExecutionPolicy.async(8))
                .perHost(HostLimits.of(RateLimit.perSecond(10)))
                .quotaStore(runningStore)
                .build();
        BatchFetcher other = BatchFetcher.builder().quotaStore(toldStore).build()) {
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        urls.add(server.url("/run/" + i));
      }
      server.then("/told", 429, "Retry-After", "2");
      CompletableFuture<List<Result>> batch = running.fetchAll(urls);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.arrivals().size() >= 10);
      List<Result> toldResult = other.fetchAll(List.of(server.url("/told"))).join();
      List<Result> results = batch.join();

      long t =
          server.arrivals().stream()
              .filter(a -> a.path().equals("/told"))
              .findFirst()
              .orElseThrow()
              .millis();
      List<Long> runs =
          server.arrivals().stream()
              .filter(a -> a.path().startsWith("/run/"))
              .map(ScriptedServer.Arrival::millis)
              .toList();
      System.out.printf(
          "the other fetcher was told Retry-After: 2 at %d ms; the running fetcher's arrivals"
              + " (ms): %s%n",
          t, runs);
      assertThat(toldResult.get(0).status()).as("the told one, after its pause").isEqualTo(200);
      assertThat(results).allMatch(Result::isSuccess);
      assertThat(runs)
          .as("none from 0.5 s after the other was told until its pause ends")
          .noneMatch(at -> at > t + 500 && at < t + 1950);
      assertThat(runs).as("going on after").anyMatch(at -> at >= t + 1950);
    }
  }

  /** Fetches {@link #URLS} URLs of {@code server} with async(16); the 429s they drew. */
  private static long run(QuotaServer server, String name, BatchFetcher.Builder builder) {
    long before = server.refused();
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < URLS; i++) {
      urls.add(server.url("/" + name + "/" + i).toString());
    }
    try (BatchFetcher fetcher = builder.policy(ExecutionPolicy.async(16)).build()) {
      List<Result> results = fetcher.fetchAll(urls).join();
      assertThat(results).as(name).allMatch(Result::isSuccess);
    }
    return server.refused() - before;
  }
}
