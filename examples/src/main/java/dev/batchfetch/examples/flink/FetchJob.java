package dev.batchfetch.examples.flink;

import dev.batchfetch.RateLimit;
import dev.batchfetch.examples.docs.FlinkJobs;
import java.time.Duration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.jspecify.annotations.Nullable;

/**
 * The Flink example job: a file (or directory) of URLs in, one JSON line per URL out, within one
 * quota for the whole job. Runs on an embedded Flink when started with {@code java}, on the cluster
 * when submitted with {@code flink run}. See {@code docs/flink.md}.
 *
 * <pre>
 * FetchJob --input urls.txt --output results/ [--rate 50] [--burst 5] [--redis redis://host:6379]
 *          [--parallelism 4] [--checkpoint-ms 10000]
 * </pre>
 */
public final class FetchJob {
  private FetchJob() {}

  public static void main(String[] args) throws Exception {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // Flink is chatty
    }
    String input = null;
    String output = null;
    String redis = null;
    long rate = 50;
    long burst = 0;
    int parallelism = 0;
    long checkpointMillis = 10_000;
    for (int i = 0; i + 1 < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--input" -> input = value;
        case "--output" -> output = value;
        case "--redis" -> redis = value;
        case "--rate" -> rate = Long.parseLong(value);
        case "--burst" -> burst = Long.parseLong(value);
        case "--parallelism" -> parallelism = Integer.parseInt(value);
        case "--checkpoint-ms" -> checkpointMillis = Long.parseLong(value);
        default -> usage("unknown option " + args[i]);
      }
    }
    if (input == null || output == null || args.length % 2 != 0) {
      usage("--input and --output are required");
      return;
    }
    run(
        input,
        output,
        RateLimit.perSecond(rate).withBurst(burst),
        redis,
        parallelism,
        checkpointMillis);
  }

  /** Runs the job and returns when it is done. */
  public static void run(
      String input,
      String output,
      RateLimit quota,
      @Nullable String redisUri,
      int parallelism,
      long checkpointMillis)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (parallelism > 0) {
      env.setParallelism(parallelism);
    }
    env.enableCheckpointing(checkpointMillis); // FileSink commits its files on checkpoints
    FlinkJobs.fetchJob(env, input, output, quota, redisUri);
    long started = System.nanoTime();
    env.execute("batchfetch: " + input + " -> " + output);
    System.err.printf(
        "Fetched %s into %s in %s%n",
        input, output, Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: FetchJob --input FILE_OR_DIR --output DIR [--rate PER_SECOND] [--burst N]"
            + " [--redis redis://HOST:PORT] [--parallelism N] [--checkpoint-ms MS]");
    System.exit(2);
  }
}
