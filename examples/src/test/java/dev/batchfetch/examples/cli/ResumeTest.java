package dev.batchfetch.examples.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code --resume} takes from an earlier run's output file. */
class ResumeTest {
  @TempDir Path dir;

  private static String line(int number, String url, int status, ErrorKind error) {
    return JsonLine.of(
        number,
        new Result(
            number - 1,
            url,
            status,
            Map.of(),
            new byte[0],
            Duration.ZERO,
            status == 0 ? 0 : 1,
            Duration.ZERO,
            error,
            error == null || error == ErrorKind.HTTP_STATUS
                ? null
                : new IOException("boom \"x\"")));
  }

  @Test
  void knowsTheLinesDoneByNumberAndUrlAndCutsAnUnfinishedLastLine() throws IOException {
    Path output = dir.resolve("out.jsonl");
    String done =
        line(1, "http://a/1", 200, null)
            + "\n"
            + line(3, "http://a/3", 404, ErrorKind.HTTP_STATUS)
            + "\n";
    Files.writeString(
        output,
        done
            + line(4, "http://a/4", 0, ErrorKind.CANCELLED)
            + "\n"
            + line(5, "http://a/5", 0, ErrorKind.REJECTED)
            + "\n"
            + "{\"line\":6,\"url\":\"http://a/6\",\"sta",
        UTF_8);

    Resume resume = Resume.read(output);

    List<InputLines.Line> input =
        List.of(
            new InputLines.Line(1, "http://a/1"),
            new InputLines.Line(2, "http://a/2"),
            new InputLines.Line(3, "http://a/3-changed"),
            new InputLines.Line(4, "http://a/4"),
            new InputLines.Line(5, "http://a/5"),
            new InputLines.Line(6, "http://a/6"));
    assertThat(resume.remaining(input))
        .extracting(InputLines.Line::number)
        .containsExactly(2, 3, 4, 5, 6);
    assertThat(resume.size()).isEqualTo(2);
    assertThat(resume.failed()).isEqualTo(1);
    assertThat(Files.readString(output, UTF_8))
        .as("the unfinished last line is cut, the rest kept")
        .endsWith("\n")
        .doesNotContain("\"line\":6");
  }

  @Test
  void resumeNeedsAnOutputFile() {
    CliRun run = CliRun.of("http://127.0.0.1:1/\n", "--resume");

    assertThat(run.status()).isEqualTo(FetchCli.USAGE);
    assertThat(run.err()).contains("--resume needs --output FILE");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void aMissingFileIsAFirstRun() throws IOException {
    assertThat(Resume.read(dir.resolve("none.jsonl"))).isEqualTo(Resume.NONE);
  }

  @Test
  void parsesWhatItWritesAndNothingElse() {
    String written = line(7, "http://a/\u2028\"q\"\\\t", 0, ErrorKind.IO);

    Map<String, Object> record = JsonLine.parse(written);

    assertThat(record)
        .containsEntry("line", 7L)
        .containsEntry("url", "http://a/\u2028\"q\"\\\t")
        .containsEntry("status", 0L)
        .containsEntry("error", "IO")
        .containsEntry("message", "boom \"x\"");
    assertThat(JsonLine.parse(written.substring(0, written.length() - 1))).isNull();
    assertThat(JsonLine.parse("not json")).isNull();
    assertThat(JsonLine.parse("{\"line\":1} trailing")).isNull();
  }
}
