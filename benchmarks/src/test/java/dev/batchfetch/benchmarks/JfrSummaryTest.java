package dev.batchfetch.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reading a real recording, and the names folded so that runs and threads add up. */
@Timeout(60)
class JfrSummaryTest {
  @Test
  void findsTheBusyMethodOfARecordingAndNamesItsOwner(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("busy.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
      recording.setDestination(file);
      recording.start();
      long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
      long sink = 0;
      while (System.nanoTime() < deadline) {
        sink += busyHarnessWork(sink);
      }
      recording.stop();
      assertThat(sink).isNotZero();
    }

    JfrSummary.Side side = JfrSummary.read("busy", List.of(file));
    String text = JfrSummary.compare(Map.of("busy", List.of(file)), "test");

    assertThat(side.samples).isPositive();
    assertThat(side.owners).containsKey(JfrSummary.Kind.HARNESS);
    assertThat(text).contains("=== busy: 1 recordings", "JfrSummaryTest.busyHarnessWork");
  }

  @Test
  void foldsThreadNamesAndLambdaAddresses() {
    assertThat(JfrSummary.fold("OkHttp http://127.0.0.1:8080/id/7")).isEqualTo("OkHttp <url>");
    assertThat(JfrSummary.fold("batchfetch-2-okhttp-13")).isEqualTo("batchfetch-N-okhttp-N");
    assertThat(JfrSummary.withoutAddress("a.Engine$$Lambda$44+0x00007f1e4802f948.13326370"))
        .isEqualTo("a.Engine$$Lambda");
    assertThat(JfrSummary.withoutAddress("a.Engine$$Lambda$44.0x00007fe60c02dd30"))
        .isEqualTo("a.Engine$$Lambda");
    assertThat(JfrSummary.withoutAddress("a.Engine$Inner")).isEqualTo("a.Engine$Inner");
  }

  private static long busyHarnessWork(long seed) {
    long x = seed | 1;
    for (int i = 0; i < 10_000; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
    }
    return x == 0 ? 1 : x;
  }
}
