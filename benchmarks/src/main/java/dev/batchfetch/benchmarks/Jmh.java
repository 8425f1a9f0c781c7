package dev.batchfetch.benchmarks;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link AdmissionBenchmark} in a forked JVM and returns its scores. */
final class Jmh {
  private Jmh() {}

  /**
   * One score: nanoseconds per call, with JMH's 99.9% error bound.
   *
   * @param client {@code batchfetch <policy>} or {@code raw OkHttp <mode>}
   * @param rate {@code unlimited} or {@code limited} for batchfetch, {@code none} for OkHttp
   */
  record Score(String client, String rate, double nanosPerCall, double error) {}

  /** The settings of a run, for the report. */
  static String settings(boolean quick) {
    return quick
        ? "1 fork, 3 warm-up iterations and 2 measured iterations of 1 s each"
        : "1 fork, 3 warm-up iterations and 5 measured iterations of 2 s each";
  }

  static List<Score> run(boolean quick) throws RunnerException {
    Options options =
        new OptionsBuilder()
            .include(AdmissionBenchmark.class.getName())
            .include(RawOkHttpBaseline.class.getName())
            .forks(1)
            .warmupIterations(3)
            .warmupTime(TimeValue.seconds(quick ? 1 : 2))
            .measurementIterations(quick ? 2 : 5)
            .measurementTime(TimeValue.seconds(quick ? 1 : 2))
            .jvmArgs("-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
            .build();
    List<Score> scores = new ArrayList<>();
    for (RunResult result : new Runner(options).run()) {
      String policy = result.getParams().getParam("policy");
      String rate = result.getParams().getParam("rate");
      scores.add(
          new Score(
              policy == null
                  ? "raw OkHttp " + result.getParams().getParam("mode")
                  : "batchfetch " + policy,
              rate == null ? "none" : rate,
              result.getPrimaryResult().getScore(),
              result.getPrimaryResult().getScoreError()));
    }
    return scores;
  }
}
