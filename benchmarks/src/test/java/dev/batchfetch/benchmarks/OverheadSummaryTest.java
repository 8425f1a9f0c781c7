package dev.batchfetch.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.benchmarks.Overhead.Measured;
import dev.batchfetch.benchmarks.Overhead.Side;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The figures of the one-JVM comparison: medians, ratios, and the lines they travel in. */
class OverheadSummaryTest {
  @Test
  void ratioIsOfTheMedianTimesNotOfTheSums() {
    // batchfetch 1.3, 1.2, 9.0 s (one disturbed run); raw 1.0, 1.1, 1.0 s
    OverheadSummary summary =
        summary(
            List.of(
                run(Side.BATCHFETCH, 0, 1_300),
                run(Side.RAW, 0, 1_000),
                run(Side.BATCHFETCH, 1, 1_200),
                run(Side.RAW, 1, 1_100),
                run(Side.BATCHFETCH, 2, 9_000),
                run(Side.RAW, 2, 1_000)));

    assertThat(summary.timeRatio()).hasValue(1.3);
    assertThat(summary.verdict()).isEqualTo("1.300 | **missed** |");
    assertThat(summary.markdown())
        .contains("ratio of the median times: 1.300** (target ≤ 1.10: **missed**)")
        .contains("1.300, 1.091, 9.000 (median 1.300, min 1.091, max 9.000)")
        .contains("| batchfetch async(100) | 1.300 | 1.200 | 9.000 |");
  }

  @Test
  void meetsTheTargetAtTenPercentAndSaysWhenProfiled() {
    OverheadSummary summary =
        new OverheadSummary(
            List.of(run(Side.BATCHFETCH, 0, 1_100), run(Side.RAW, 0, 1_000)),
            100,
            false,
            true,
            "0.10 0.20 0.30",
            "0.40 0.50 0.60");

    assertThat(summary.verdict()).isEqualTo("1.100 | met (under a profiler) |");
    assertThat(summary.markdown()).contains("**Timed under a profiler**", "0.10 0.20 0.30 /");
  }

  @Test
  void aRunSurvivesItsResultLine() {
    Measured run = new Measured(Side.RAW, 3, 1234, 20_000, 19_999, 56, 78, 2, 9, 110);

    Child.Line line =
        Child.Line.parse(
            "RESULT run side=raw index=3 nanos=1234 count=20000 ok=19999 cpu_nanos=56"
                + " allocated_bytes=78 gc_count=2 gc_millis=9 peak_threads=110");

    assertThat(Measured.of(line)).isEqualTo(run);
  }

  private static OverheadSummary summary(List<Measured> runs) {
    return new OverheadSummary(runs, 100, false, false, "1.00 1.00 1.00", "1.00 1.00 1.00");
  }

  private static Measured run(Side side, int index, long millis) {
    return new Measured(
        side, index, millis * 1_000_000, 20_000, 20_000, millis * 2_000_000, 1 << 20, 1, 5, 110);
  }
}
