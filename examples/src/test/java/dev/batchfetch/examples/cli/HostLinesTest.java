package dev.batchfetch.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.FetchListener.AttemptEnded;
import dev.batchfetch.RateLimit;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The summary's lines per host, from events handed to it directly. */
class HostLinesTest {
  private final HostLines lines = new HostLines(host -> RateLimit.perSecond(5));

  private void attempts(String host, int count, int status) {
    for (int i = 0; i < count; i++) {
      lines.attemptEnded(
          new AttemptEnded(
              "f", 1, i, "http://" + host + "/", host, 1, status, null, null, Duration.ZERO, 0));
    }
  }

  private List<String> printed() {
    StringWriter text = new StringWriter();
    lines.print(new PrintWriter(text, true));
    return text.toString().lines().toList();
  }

  @Test
  void oneOfAThingIsSingular() {
    attempts("a.test:80", 1, 200);

    assertThat(printed()).containsExactly("  a.test:80: 1 request, rate 5/s (configured)");
  }

  @Test
  void theHostsPastTheBusiestTenShareALineCountedInTheSameWords() {
    for (int i = 0; i < HostLines.MAX_LINES; i++) {
      attempts("busy" + i + ".test:80", 3, 200);
    }
    attempts("quiet.test:80", 1, 200);

    assertThat(printed())
        .hasSize(HostLines.MAX_LINES + 1)
        .last()
        .isEqualTo("  1 more host: 1 request");

    attempts("quieter.test:80", 1, 429);

    assertThat(printed()).last().isEqualTo("  2 more hosts: 2 requests");
  }
}
