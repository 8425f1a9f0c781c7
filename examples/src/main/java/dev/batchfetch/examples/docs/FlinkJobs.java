package dev.batchfetch.examples.docs;

import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.examples.cli.JsonLine;
import dev.batchfetch.flink.AsyncFetch;
import dev.batchfetch.flink.FetchFunction;
import dev.batchfetch.flink.FetchSettings;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.jspecify.annotations.Nullable;

/** The snippets of {@code docs/flink.md}: the example job's pipeline. Stateless. */
public final class FlinkJobs {
  private FlinkJobs() {}

  /**
   * Adds to {@code env} a job that reads the URLs of {@code input} (a file or a directory of files,
   * one URL a line), fetches them within {@code quota} (shared through Redis at {@code redisUri},
   * or split over the parallelism when it is null) and writes one JSON line per URL under {@code
   * output}.
   */
  public static void fetchJob(
      StreamExecutionEnvironment env,
      String input,
      String output,
      RateLimit quota,
      @Nullable String redisUri) {
    // [START job]
    FetchSettings.Builder settings =
        FetchSettings.builder(quota) // the whole job's quota, e.g. RateLimit.perSecond(50)
            .latency(Duration.ofMillis(200)) // the server's usual response time: sizes Async I/O
            .timeout(Duration.ofMinutes(2)); // per URL, waiting for its permit included
    if (redisUri != null) {
      settings.redis(redisUri, "example"); // one quota for every task manager
    }

    FileSource<String> urls =
        FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(input)).build();
    DataStream<Result> results =
        AsyncFetch.unordered(
            env.fromSource(urls, WatermarkStrategy.noWatermarks(), "urls")
                .filter(line -> !line.isBlank() && !line.startsWith("#")),
            FetchFunction.forUrls(settings.build()));
    results
        .map(JsonLine::of)
        .returns(Types.STRING)
        .sinkTo(
            FileSink.forRowFormat(new Path(output), new SimpleStringEncoder<String>("UTF-8"))
                .build());
    // [END job]
  }
}
