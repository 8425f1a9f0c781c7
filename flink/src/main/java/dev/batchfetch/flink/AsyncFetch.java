package dev.batchfetch.flink;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Applies a {@link FetchFunction} to a stream with Flink's Async I/O, sized by its {@link
 * FetchSettings}: the capacity for the environment's parallelism, the settings' timeout.
 *
 * <pre>{@code
 * StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
 * DataStream<String> urls = env.fromSource(fileSource, WatermarkStrategy.noWatermarks(), "urls");
 * DataStream<Result> results = AsyncFetch.unordered(urls, FetchFunction.forUrls(settings));
 * }</pre>
 *
 * <p>The operator gets the environment's parallelism explicitly, the one its capacity was computed
 * for. To run it at another, call {@link AsyncDataStream} yourself with {@link
 * FetchSettings#capacity(int)} of that parallelism and {@link FetchSettings#timeout()}.
 *
 * <p>Stateless and thread-safe.
 */
public final class AsyncFetch {
  private AsyncFetch() {}

  /**
   * Emits each result as soon as it is there: the highest throughput, the order of the input lost
   * (between watermarks).
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the environment's parallelism is not set (less than 1)
   */
  public static <IN, OUT> SingleOutputStreamOperator<OUT> unordered(
      DataStream<IN> input, FetchFunction<IN, OUT> function) {
    int parallelism = parallelism(input, function);
    FetchSettings settings = function.settings();
    return AsyncDataStream.unorderedWait(
            input,
            function,
            settings.timeout().toMillis(),
            TimeUnit.MILLISECONDS,
            settings.capacity(parallelism))
        .setParallelism(parallelism)
        .name("batchfetch (unordered)");
  }

  /**
   * Emits the results in the order of the input: an element whose call is slow holds back the
   * results after it (they keep their place in the capacity meanwhile).
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the environment's parallelism is not set (less than 1)
   */
  public static <IN, OUT> SingleOutputStreamOperator<OUT> ordered(
      DataStream<IN> input, FetchFunction<IN, OUT> function) {
    int parallelism = parallelism(input, function);
    FetchSettings settings = function.settings();
    return AsyncDataStream.orderedWait(
            input,
            function,
            settings.timeout().toMillis(),
            TimeUnit.MILLISECONDS,
            settings.capacity(parallelism))
        .setParallelism(parallelism)
        .name("batchfetch (ordered)");
  }

  private static int parallelism(DataStream<?> input, FetchFunction<?, ?> function) {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(function, "function");
    int parallelism = input.getExecutionEnvironment().getParallelism();
    if (parallelism < 1) {
      throw new IllegalArgumentException(
          "set the environment's parallelism: the capacity is computed for it, was " + parallelism);
    }
    return parallelism;
  }
}
