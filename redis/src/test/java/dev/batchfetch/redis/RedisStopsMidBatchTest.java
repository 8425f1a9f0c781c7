package dev.batchfetch.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ErrorKind;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.redis.testing.ArrivalServer;
import dev.batchfetch.redis.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Redis stopped in the middle of a batch: every input still has exactly one result, and the fetcher
 * does what the limiter's documentation says: failing closed, the inputs not yet admitted end as
 * {@code QUOTA_UNAVAILABLE}, unsent; falling back, they all succeed, at the local share.
 */
@Timeout(60)
class RedisStopsMidBatchTest {
  private static final int BATCH = 60;
  private static final int STOP_AFTER = 20;
  private static final RateLimit QUOTA = RateLimit.perSecond(50);
  private static final int INSTANCES = 2; // the fallback's share: 25 a second

  static Stream<ExecutionPolicy> policies() {
    return Stream.of(
        ExecutionPolicy.sequential(), ExecutionPolicy.pool(8), ExecutionPolicy.async(16));
  }

  @ParameterizedTest
  @MethodSource("policies")
  void failingClosedEndsTheInputsLeftAsQuotaUnavailable(ExecutionPolicy policy) throws Exception {
    try (RedisServer redis = RedisServer.start();
        ArrivalServer server = ArrivalServer.start();
        RedisRateLimiters limiters = RedisRateLimiters.builder().uri(redis.uri()).build();
        BatchFetcher fetcher =
            BatchFetcher.builder()
                .policy(policy)
                .rateLimiter(limiters.limiter("closed", QUOTA))
                .build()) {
      List<Result> results = fetchAndStopRedis(redis, server, fetcher);

      List<Result> unavailable =
          results.stream()
              .filter(r -> r.error() == ErrorKind.QUOTA_UNAVAILABLE)
              .collect(Collectors.toList());
      long successes = results.stream().filter(Result::isSuccess).count();
      System.out.printf(
          Locale.ROOT,
          "%s, failing closed: %d sent and 200, %d QUOTA_UNAVAILABLE after Redis stopped%n",
          policy,
          successes,
          unavailable.size());
      assertThat(successes + unavailable.size())
          .as("successes and QUOTA_UNAVAILABLE")
          .isEqualTo(BATCH);
      assertThat(successes).isGreaterThanOrEqualTo(STOP_AFTER);
      assertThat(unavailable).isNotEmpty();
      assertThat(unavailable)
          .allSatisfy(
              r -> {
                assertThat(r.exception()).isInstanceOf(QuotaUnavailableException.class);
                assertThat(r.attempts()).isZero();
              });
      assertThat(server.arrivals()).as("requests the server saw").hasSize((int) successes);
    }
  }

  @ParameterizedTest
  @MethodSource("policies")
  void fallingBackFetchesEverythingAtTheLocalShare(ExecutionPolicy policy) throws Exception {
    try (RedisServer redis = RedisServer.start();
        ArrivalServer server = ArrivalServer.start();
        RedisRateLimiters limiters =
            RedisRateLimiters.builder().uri(redis.uri()).fallBackToLocalShare(INSTANCES).build();
        BatchFetcher fetcher =
            BatchFetcher.builder()
                .policy(policy)
                .rateLimiter(limiters.limiter("fallback", QUOTA))
                .build()) {
      List<Result> results = fetchAndStopRedis(redis, server, fetcher);

      assertThat(results).allMatch(Result::isSuccess, "is a success");
      assertThat(limiters.isRedisAvailable()).isFalse();
      List<Long> arrivals = server.arrivals();
      // The last 20 arrivals: well after the stop, past permits reserved in Redis before it.
      ArrivalServer.Figures tail =
          ArrivalServer.figures(
              arrivals.subList(arrivals.size() - 20, arrivals.size()), Duration.ofSeconds(1));
      double share = (double) QUOTA.permits() / INSTANCES;
      System.out.printf(
          Locale.ROOT,
          "%s, falling back to 1/%d of %s: all %d succeeded; the last 20: %s (share %.1f/s)%n",
          policy,
          INSTANCES,
          QUOTA,
          BATCH,
          tail,
          share);
      // Never faster than the share; slower only by what each call costs (sequential: a round
      // trip).
      assertThat(tail.ratePerSecond()).isBetween(0.6 * share, 1.05 * share);
    }
  }

  /** Fetches the batch, stops Redis once {@link #STOP_AFTER} requests arrived, and waits. */
  private static List<Result> fetchAndStopRedis(
      RedisServer redis, ArrivalServer server, BatchFetcher fetcher) throws Exception {
    CountDownLatch stopHere = server.latchAfter(STOP_AFTER);
    CompletableFuture<List<Result>> batch = fetcher.fetchAll(server.urls(0, BATCH));
    assertThat(stopHere.await(30, SECONDS)).as("%d requests arrived", STOP_AFTER).isTrue();
    redis.stop();
    List<Result> results = batch.get(30, SECONDS);
    assertThat(results)
        .extracting(Result::index)
        .as("one result per input, in order")
        .containsExactlyElementsOf(IntStream.range(0, BATCH).boxed().collect(Collectors.toList()));
    return results;
  }
}
