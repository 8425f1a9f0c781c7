package dev.batchfetch.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.examples.cli.Progress.Counts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ProgressTest {

  @Test
  void drawsABarWithCountsRateEtaAndFailures() {
    String bar = Progress.bar(new Counts(1234, 12), 2500, Duration.ofSeconds(3));

    assertThat(bar)
        .isEqualTo("[===========>            ] 1,234/2,500  49%  411/s  ETA 0:04  12 failing");
  }

  @Test
  void drawsAFullBarWhenDone() {
    assertThat(Progress.bar(new Counts(5, 0), 5, Duration.ofMillis(500)))
        .isEqualTo("[========================] 5/5 100%  10/s  ETA 0:00  0 failing");
    assertThat(Progress.bar(new Counts(0, 0), 0, Duration.ZERO)).startsWith("[====");
  }

  @Test
  void writesAPlainLineForLogs() {
    assertThat(Progress.line(new Counts(30, 1), 120, Duration.ofSeconds(10)))
        .isEqualTo("batchfetch-cli: 30/120  25%  3.0/s  ETA 0:30  1 failing");
  }

  @Test
  void saysTheEtaIsUnknownBeforeAnythingFinished() {
    assertThat(Progress.eta(new Counts(0, 0), 10, Duration.ofSeconds(5))).isEqualTo("--:--");
  }

  @Test
  void showsTheLearnedRateAndEstimatesByIt() {
    // 30 done in 2 s (a first burst) but the host was learned at 2 calls a second: 45 s left.
    Counts counts = new Counts(30, 0, Map.of("api.test:443", 2.0));

    assertThat(Progress.line(counts, 120, Duration.ofSeconds(2)))
        .isEqualTo("batchfetch-cli: 30/120  25%  15/s  ETA 0:45  0 failing  learned 2.0/s");
    Map<String, Double> two = new LinkedHashMap<>();
    two.put("a.test:80", 2.5);
    two.put("b.test:80", 40.0);
    assertThat(Progress.learned(two)).isEqualTo("learned 2 hosts, slowest 2.5/s (a.test:80)");
    assertThat(Progress.rate(new Counts(0, 0), Duration.ZERO)).isEqualTo("0.0/s");
  }

  @Test
  void showsHoursOnlyFromAnHourOn() {
    assertThat(Progress.clock(Duration.ofSeconds(59))).isEqualTo("0:59");
    assertThat(Progress.clock(Duration.ofSeconds(3599))).isEqualTo("59:59");
    assertThat(Progress.clock(Duration.ofSeconds(3600 + 61))).isEqualTo("1:01:01");
  }

  @Test
  void theBarIsDrawnOnceMoreAndItsLineEndedOnClose() {
    StringWriter err = new StringWriter();
    Progress progress =
        Progress.start(Progress.Mode.BAR, 3, () -> new Counts(3, 1), new PrintWriter(err));

    progress.close();

    assertThat(err.toString())
        .startsWith("\r[========================] 3/3 100%")
        .contains("1 failing")
        .endsWith(System.lineSeparator());
  }

  @Test
  void linesAndNothingDrawNothingOnClose() {
    StringWriter err = new StringWriter();

    Progress.start(Progress.Mode.LINES, 3, () -> new Counts(0, 0), new PrintWriter(err)).close();
    Progress.start(Progress.Mode.OFF, 3, () -> new Counts(0, 0), new PrintWriter(err)).close();

    assertThat(err.toString()).isEmpty();
  }
}
