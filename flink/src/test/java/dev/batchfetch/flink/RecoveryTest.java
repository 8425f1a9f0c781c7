package dev.batchfetch.flink;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.redis.testing.ArrivalServer;
import dev.batchfetch.redis.testing.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A job that fails midway, as a file of URLs is fetched into files of results (FileSource, Async
 * I/O, FileSink), at parallelism 4 with the quota in Redis: a subtask that throws, or a task
 * manager that goes away and is replaced. After Flink's recovery every URL has exactly one result
 * in the sink (FileSink commits on checkpoints: exactly-once), while the server saw some URLs twice
 * (at-least-once fetching): the test counts and prints them.
 */
@Timeout(180)
class RecoveryTest {
  private static final int URLS = 400;
  private static final int FILES = 4;
  private static final int FAIL_AFTER = 150;
  private static final int PER_SECOND = 100;

  private static final AtomicInteger seen = new AtomicInteger();
  private static final AtomicBoolean failed = new AtomicBoolean();

  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(2)
              .setNumberSlotsPerTaskManager(2)
              .build());

  /** What goes wrong. */
  enum Failure {
    SUBTASK_THROWS,
    TASK_MANAGER_LOST
  }

  @ParameterizedTest
  @EnumSource(Failure.class)
  void afterRecoveryEveryUrlHasOneResultInTheSink(
      Failure failure, @InjectMiniCluster MiniCluster cluster, @TempDir Path dir) throws Exception {
    seen.set(0);
    failed.set(false);
    try (ArrivalServer server = ArrivalServer.enforcing(PER_SECOND, 10, Duration.ofMillis(10));
        RedisServer redis = RedisServer.start()) {
      List<String> urls = server.urls(0, URLS);
      Path input = Files.createDirectories(dir.resolve("in"));
      for (int f = 0; f < FILES; f++) {
        List<String> part = urls.subList(f * URLS / FILES, (f + 1) * URLS / FILES);
        Files.write(input.resolve("urls-" + f + ".txt"), part, UTF_8);
      }
      Path output = dir.resolve("out");
      FetchSettings settings =
          FetchSettings.builder(RateLimit.perSecond(PER_SECOND).withBurst(10))
              .redis(redis.uri(), "recovery-" + failure.name().toLowerCase(Locale.ROOT))
              .latency(Duration.ofMillis(10))
              .timeout(Duration.ofSeconds(60))
              .build();

      JobClient job = job(failure, input, output, settings).executeAsync("recovery");
      if (failure == Failure.TASK_MANAGER_LOST) {
        await("the job to be midway")
            .atMost(Duration.ofSeconds(60))
            .until(() -> seen.get() >= FAIL_AFTER);
        cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
        cluster.startTaskManager(); // a replacement, as Kubernetes or YARN would bring
      }
      job.getJobExecutionResult().get(150, TimeUnit.SECONDS);

      Map<String, Long> inSink = sinkLines(output);
      Map<String, Integer> fetched = server.hits();
      int duplicates = fetched.values().stream().mapToInt(n -> n - 1).sum();
      long twice = fetched.values().stream().filter(n -> n > 1).count();
      System.out.printf(
          Locale.ROOT,
          "recovery after %s: %d URLs, %d results in the sink (%d distinct), %d fetches:"
              + " %d URLs fetched more than once, %d duplicate fetches (%.1f%%); answered 429: %d%n",
          failure,
          URLS,
          inSink.values().stream().mapToLong(Long::longValue).sum(),
          inSink.size(),
          fetched.values().stream().mapToInt(Integer::intValue).sum(),
          twice,
          duplicates,
          100.0 * duplicates / URLS,
          server.refused());
      assertThat(failed).as("the failure happened").isTrue();
      assertThat(inSink.keySet()).containsExactlyInAnyOrderElementsOf(urls);
      assertThat(inSink.values()).as("results per URL in the sink").containsOnly(1L);
      assertThat(fetched.keySet()).hasSize(URLS);
    }
  }

  private static StreamExecutionEnvironment job(
      Failure failure, Path input, Path output, FetchSettings settings) {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(MiniClusterJobsTest.PARALLELISM);
    env.enableCheckpointing(200);

    FileSource<String> source =
        FileSource.forRecordStreamFormat(
                new TextLineInputFormat(), new org.apache.flink.core.fs.Path(input.toUri()))
            .build();
    DataStream<String> urls = env.fromSource(source, WatermarkStrategy.noWatermarks(), "urls");
    DataStream<Result> results = AsyncFetch.unordered(urls, FetchFunction.forUrls(settings));
    DataStream<String> lines =
        results
            .map(
                result -> {
                  if (seen.incrementAndGet() == FAIL_AFTER
                      && failure == Failure.SUBTASK_THROWS
                      && failed.compareAndSet(false, true)) {
                    throw new IllegalStateException("a subtask fails midway, as a test wants");
                  }
                  if (failure == Failure.TASK_MANAGER_LOST && seen.get() >= FAIL_AFTER) {
                    failed.set(true);
                  }
                  return result.url() + " " + result.status();
                })
            .returns(Types.STRING);
    lines.sinkTo(
        FileSink.forRowFormat(
                new org.apache.flink.core.fs.Path(output.toUri()),
                new SimpleStringEncoder<String>("UTF-8"))
            .withRollingPolicy(OnCheckpointRollingPolicy.build())
            .build());
    return env;
  }

  /** Each URL in the finished part files, and how many lines it has. In-progress files skipped. */
  private static Map<String, Long> sinkLines(Path output) throws IOException {
    Map<String, Long> counts = new HashMap<>();
    try (Stream<Path> files = Files.walk(output)) {
      for (Path file :
          files
              .filter(Files::isRegularFile)
              .filter(f -> !f.getFileName().toString().startsWith("."))
              .collect(Collectors.toList())) {
        for (String line : Files.readAllLines(file, UTF_8)) {
          String[] fields = line.split(" ", -1);
          assertThat(fields[1]).as(line).isEqualTo("200");
          counts.merge(fields[0], 1L, Long::sum);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return counts;
  }
}
