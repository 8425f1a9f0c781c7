package dev.batchfetch.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The arithmetic and the formats the report rests on. */
class ReportPartsTest {
  @Test
  void medianMinAndMaxOfTheRuns() {
    Row row = row(List.of(run(3_000_000_000L), run(1_000_000_000L), run(2_000_000_000L)));

    assertThat(row.medianSeconds()).isEqualTo(2.0);
    assertThat(row.minSeconds()).isEqualTo(1.0);
    assertThat(row.maxSeconds()).isEqualTo(3.0);
    assertThat(row.rate()).isEqualTo(50.0);
  }

  @Test
  void parsesResultLines() {
    Child.Line line = Child.Line.parse("RESULT run index=2 nanos=123 ok=7");

    assertThat(line.kind()).isEqualTo("run");
    assertThat(line.number("nanos")).isEqualTo(123);
    assertThat(line.number("absent")).isEqualTo(-1);
  }

  @Test
  void chartHasABarPerMeasuredRowAndNamesTheSkippedOnes() {
    Row measured = row(List.of(run(1_000_000_000L)));
    Row skipped =
        Row.skipped("W1", "loopback", Contender.WRK, "wrk <ceiling>", "wrk is not installed");

    String svg = Chart.svg(List.of(measured, skipped), Map.of("W1", "100 URLs"), false);

    assertThat(svg).startsWith("<svg").endsWith("</svg>\n");
    assertThat(svg).contains("wrk &lt;ceiling&gt;", "skipped", "1.000 s");
  }

  private static Row row(List<Row.Run> runs) {
    return new Row(
        "W1",
        "loopback",
        Contender.BATCHFETCH_ASYNC,
        "async",
        runs,
        20,
        1 << 20,
        1024,
        9,
        -1,
        null);
  }

  private static Row.Run run(long nanos) {
    return new Row.Run(nanos, 100, 100, 0, 0);
  }
}
