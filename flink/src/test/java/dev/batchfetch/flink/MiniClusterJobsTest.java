package dev.batchfetch.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.RetryPolicy;
import dev.batchfetch.redis.testing.ArrivalServer;
import dev.batchfetch.redis.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jobs on Flink's MiniCluster, parallelism 4 over two task managers, against a server that enforces
 * the quota (a token bucket answering 429 beyond it): the subtasks together never exceed the quota
 * plus its burst in any second, and use at least 90% of it, whether the quota is shared through
 * Redis or split over the parallelism, with ordered and unordered Async I/O; results cross the
 * network through batchfetch's serializers, with Kryo disabled.
 */
@Timeout(180)
class MiniClusterJobsTest {
  static final int PARALLELISM = 4;
  static final int PER_SECOND = 40;
  static final int BURST = 4;
  static final int URLS = 320;
  static final Duration LATENCY = Duration.ofMillis(20);

  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(2)
              .setNumberSlotsPerTaskManager(2)
              .build());

  /** Where the quota lives. */
  enum Quota {
    REDIS,
    SPLIT
  }

  /** Which Async I/O operator: results as they come, or in the input's order. */
  enum Order {
    UNORDERED,
    ORDERED
  }

  static Stream<Arguments> quotasAndOrders() {
    return Stream.of(Quota.values())
        .flatMap(quota -> Stream.of(Order.values()).map(order -> Arguments.of(quota, order)));
  }

  @ParameterizedTest
  @MethodSource("quotasAndOrders")
  void theSubtasksTogetherStayWithinTheQuotaAndUseIt(Quota where, Order order) throws Exception {
    try (ArrivalServer server = ArrivalServer.enforcing(PER_SECOND, BURST, LATENCY);
        RedisServer redis = where == Quota.REDIS ? RedisServer.start() : null) {
      FetchSettings.Builder settings =
          FetchSettings.builder(RateLimit.perSecond(PER_SECOND).withBurst(BURST))
              .latency(LATENCY)
              .timeout(Duration.ofSeconds(60))
              .fetcher(fetcher -> fetcher.retry(RetryPolicy.none())); // a 429 shows as a result
      if (redis != null) {
        settings.redis(redis.uri(), "minicluster");
      }
      StreamExecutionEnvironment env = environment();
      DataStream<String> urls = env.fromData(server.urls(0, URLS)).setParallelism(1).rebalance();
      FetchFunction<String, Result> fetch = FetchFunction.forUrls(settings.build());
      DataStream<Result> results =
          order == Order.ORDERED
              ? AsyncFetch.ordered(urls, fetch)
              : AsyncFetch.unordered(urls, fetch);

      List<Result> collected = collect(results);

      List<Long> arrivals = server.arrivals();
      ArrivalServer.Figures figures = ArrivalServer.figures(arrivals, Duration.ofSeconds(1));
      System.out.printf(
          Locale.ROOT,
          "MiniCluster, parallelism %d, %s, quota %d/s burst %d %s: %s; rate / quota = %.3f;"
              + " most in any 1 s window %d (limit %d); answered 429: %d%n",
          PARALLELISM,
          order.name().toLowerCase(Locale.ROOT),
          PER_SECOND,
          BURST,
          where == Quota.REDIS ? "in Redis" : "split over the subtasks",
          figures,
          figures.ratePerSecond() / PER_SECOND,
          figures.maxInWindow(),
          PER_SECOND + BURST,
          server.refused());
      if (figures.maxInWindow() > PER_SECOND + BURST) {
        System.out.println(
            "arrivals (ms from the first): " + ArrivalServer.offsetsMillis(arrivals));
      }
      assertThat(collected).hasSize(URLS);
      assertThat(collected).allSatisfy(r -> assertThat(r.isSuccess()).as(r.toString()).isTrue());
      assertThat(server.refused()).isZero();
      assertThat(figures.maxInWindow()).isLessThanOrEqualTo(PER_SECOND + BURST);
      assertThat(figures.ratePerSecond()).isGreaterThanOrEqualTo(0.9 * PER_SECOND);
    }
  }

  @Test
  void orderedResultsFollowTheInputWhateverTheResponseTimes() throws Exception {
    try (TestServer server = new TestServer()) {
      FetchSettings settings =
          FetchSettings.builder(RateLimit.perSecond(1000)).latency(Duration.ofMillis(50)).build();
      StreamExecutionEnvironment env = environment();
      env.setParallelism(1);
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        urls.add(server.url("/slow/" + (40 - i) * 3)); // the first the slowest
      }

      List<Result> collected =
          collect(AsyncFetch.ordered(env.fromData(urls), FetchFunction.forUrls(settings)));

      assertThat(collected).extracting(Result::url).containsExactlyElementsOf(urls);
    }
  }

  @Test
  void anElementPastItsTimeoutIsATimeoutResultNotAFailedJob() throws Exception {
    try (TestServer server = new TestServer()) {
      FetchSettings settings =
          FetchSettings.builder(RateLimit.perSecond(1000)).timeout(Duration.ofSeconds(1)).build();
      StreamExecutionEnvironment env = environment();

      List<Result> collected =
          collect(
              AsyncFetch.unordered(
                  env.fromData(server.url("/held"), server.url("/ok/1")),
                  FetchFunction.forUrls(settings)));

      assertThat(collected).hasSize(2);
      Map<String, ErrorKind> kinds = new java.util.HashMap<>();
      collected.forEach(r -> kinds.put(r.url(), r.error()));
      assertThat(kinds)
          .containsEntry(server.url("/held"), ErrorKind.TIMEOUT)
          .containsEntry(server.url("/ok/1"), null);
    }
  }

  /** An environment on the MiniCluster, Kryo off: every type needs a serializer of its own. */
  static StreamExecutionEnvironment environment() {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(PARALLELISM);
    env.disableOperatorChaining(); // results cross the network: serialized, not handed over
    return env;
  }

  @SuppressWarnings("try") // CloseableIterator.close() may throw InterruptedException
  private static List<Result> collect(DataStream<Result> results) throws Exception {
    List<Result> collected = new ArrayList<>();
    try (CloseableIterator<Result> iterator = results.executeAndCollect()) {
      iterator.forEachRemaining(collected::add);
    }
    return collected;
  }

  static <T> WatermarkStrategy<T> noWatermarks() {
    return WatermarkStrategy.noWatermarks();
  }
}
