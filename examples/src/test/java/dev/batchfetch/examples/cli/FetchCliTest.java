package dev.batchfetch.examples.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.examples.IdServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line end to end, in this JVM, against local servers. */
@Timeout(60)
class FetchCliTest {
  @TempDir Path dir;
  private IdServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = IdServer.start(Duration.ZERO);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"--sequential", "--threads=4", "--async=8"})
  void writesOneRecordPerUrlLineInInputOrder(String policy) throws IOException {
    Path urls =
        write(
            "urls.txt",
            "# ids",
            server.url(3),
            "",
            "  " + server.url(1) + "  ",
            "   ",
            server.url(2));

    CliRun run = CliRun.of("", policy, urls.toString());

    assertThat(run.status()).isEqualTo(FetchCli.SUCCESS);
    assertThat(run.records()).extracting(FetchCliTest::line).containsExactly(2, 4, 6);
    assertThat(run.records().get(1))
        .isEqualTo(
            "{\"line\":4,\"url\":\""
                + server.url(1)
                + "\",\"status\":200,\"elapsed_ms\":"
                + number(run.records().get(1), "elapsed_ms")
                + ",\"attempts\":1,\"bytes\":1,\"error\":null,\"message\":null}");
    assertThat(run.err()).contains("batchfetch-cli: 3 lines in ").contains(": 3 ok; 3 attempts");
  }

  @Test
  void aMalformedLineIsAnErrorRecordWithItsLineNumber() throws IOException {
    Path urls = write("urls.txt", server.url(1), "not a url", "ftp://127.0.0.1/x", server.url(2));

    CliRun run = CliRun.of("", urls.toString());

    assertThat(run.status()).isEqualTo(FetchCli.SOME_FAILED);
    assertThat(run.records()).extracting(FetchCliTest::line).containsExactly(1, 2, 3, 4);
    assertThat(run.records().get(1))
        .startsWith(
            "{\"line\":2,\"url\":\"not a url\",\"status\":0,\"elapsed_ms\":0,\"attempts\":0,")
        .contains("\"error\":\"INVALID_URL\",\"message\":\"Expected URL scheme");
    assertThat(run.records().get(2)).contains("\"line\":3,").contains("\"error\":\"INVALID_URL\"");
    assertThat(run.records().get(3)).contains("\"status\":200");
    assertThat(run.err()).contains(": 2 ok, 2 failed (2 INVALID_URL); 2 attempts");
  }

  @Test
  void anErrorStatusIsARecordAndAFailure() {
    String missing = "http://127.0.0.1:" + server.port() + "/nothing";

    CliRun run = CliRun.of(missing + "\n", "--no-retry");

    assertThat(run.status()).isEqualTo(FetchCli.SOME_FAILED);
    assertThat(run.records())
        .singleElement()
        .asString()
        .contains("\"status\":404,")
        .contains("\"error\":\"HTTP_STATUS\",\"message\":null}");
    assertThat(run.err()).contains("0 ok, 1 failed (1 HTTP 404)");
  }

  @Test
  void retriesA429AfterTheRetryAfterTheServerAsked() throws IOException {
    try (MockWebServer busy = new MockWebServer()) {
      busy.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "1").build());
      busy.enqueue(new MockResponse.Builder().body("ok").build());
      busy.start();

      CliRun run = CliRun.of(busy.url("/busy") + "\n", "--retries", "2");

      assertThat(run.status()).isEqualTo(FetchCli.SUCCESS);
      String record = run.records().get(0);
      assertThat(record).contains("\"status\":200,").contains("\"attempts\":2,");
      assertThat(number(record, "elapsed_ms")).isGreaterThanOrEqualTo(900); // Retry-After: 1
      assertThat(busy.getRequestCount()).isEqualTo(2);
    }
  }

  @Test
  void withoutRetriesA429IsTheResult() throws IOException {
    try (MockWebServer busy = new MockWebServer()) {
      busy.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "1").build());
      busy.start();

      CliRun run = CliRun.of(busy.url("/busy") + "\n", "--no-retry");

      assertThat(run.status()).isEqualTo(FetchCli.SOME_FAILED);
      assertThat(run.records().get(0)).contains("\"status\":429,").contains("\"attempts\":1,");
      assertThat(busy.getRequestCount()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-"})
  void readsStandardInputWithoutAFileOrWithADash(String file) {
    String[] args = file.isEmpty() ? new String[0] : new String[] {file};

    CliRun run = CliRun.of(server.url(7) + "\r\n#\r\n" + server.url(8) + "\r\n", args);

    assertThat(run.status()).isEqualTo(FetchCli.SUCCESS);
    assertThat(run.records()).extracting(FetchCliTest::line).containsExactly(1, 3);
  }

  @Test
  void sendsTheHeadersAndUserAgentGiven() throws Exception {
    try (MockWebServer seen = new MockWebServer()) {
      seen.enqueue(new MockResponse.Builder().body("ok").build());
      seen.start();

      CliRun run =
          CliRun.of(
              seen.url("/h") + "\n",
              "--header",
              "Accept: text/plain",
              "-H",
              "X-Token:  abc ",
              "--user-agent",
              "tests/1");

      assertThat(run.status()).isEqualTo(FetchCli.SUCCESS);
      RecordedRequest request = seen.takeRequest(5, TimeUnit.SECONDS);
      assertThat(request).isNotNull();
      assertThat(request.getHeaders().get("Accept")).isEqualTo("text/plain");
      assertThat(request.getHeaders().get("X-Token")).isEqualTo("abc");
      assertThat(request.getHeaders().get("User-Agent")).isEqualTo("tests/1");
    }
  }

  @Test
  void writesTheRecordsToTheOutputFileAndTheBodiesByLineNumber() throws IOException {
    Path urls = write("urls.txt", "# two ids", server.url(41), server.url(42), "nonsense");
    Path output = dir.resolve("out.jsonl");
    Path bodies = dir.resolve("bodies");

    CliRun run =
        CliRun.of("", "-o", output.toString(), "--bodies", bodies.toString(), urls.toString());

    assertThat(run.status()).isEqualTo(FetchCli.SOME_FAILED);
    assertThat(run.out()).isEmpty();
    assertThat(Files.readAllLines(output, UTF_8))
        .extracting(FetchCliTest::line)
        .containsExactly(2, 3, 4);
    assertThat(bodies.resolve("2.body")).hasContent("41");
    assertThat(bodies.resolve("3.body")).hasContent("42");
    assertThat(bodies.resolve("4.body")).doesNotExist(); // no response, no body
  }

  @Test
  void completionOrderWritesWhatFinishedFirstFirst() throws IOException {
    CountDownLatch fastDone = new CountDownLatch(1);
    try (MockWebServer scripted = new MockWebServer()) {
      scripted.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
              String path = request.getUrl().encodedPath();
              if (path.equals("/slow") && !fastDone.await(20, TimeUnit.SECONDS)) {
                return new MockResponse.Builder().code(504).build();
              }
              if (path.equals("/after-fast")) {
                // Sent only once /fast freed its slot (2 at once): /fast had ended by then.
                fastDone.countDown();
              }
              return new MockResponse.Builder().body(path).build();
            }
          });
      scripted.start();
      String input =
          scripted.url("/slow") + "\n" + scripted.url("/fast") + "\n" + scripted.url("/after-fast");

      CliRun run = CliRun.of(input, "--async", "2", "--order", "completion");

      assertThat(run.status()).isEqualTo(FetchCli.SUCCESS);
      List<Integer> lines = run.records().stream().map(FetchCliTest::line).toList();
      assertThat(lines).containsExactlyInAnyOrder(1, 2, 3);
      assertThat(lines.get(0)).isEqualTo(2); // /fast, though /slow was sent first
    }
  }

  @Test
  void anEmptyInputIsASuccessWithNothingWritten() {
    CliRun run = CliRun.of("# nothing\n\n");

    assertThat(run.status()).isEqualTo(FetchCli.SUCCESS);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("batchfetch-cli: 0 lines in ");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--frobnicate",
        "--rate=5/week",
        "--rate=0/s",
        "--threads=0",
        "--async=many",
        "--retries=-1",
        "--sequential --threads=2",
        "--retries=1 --no-retry",
        "--host=api.example.com",
        "--host=api.example.com=10/s,0",
        "--header=no-colon",
        "--header=Caf\u00e9:x",
        "--connect-timeout=soon",
        "--order=random",
        "a.txt b.txt"
      })
  void aWrongCommandLineIsAUsageError(String args) {
    CliRun run = CliRun.of("", args.split(" "));

    assertThat(run.status()).isEqualTo(FetchCli.USAGE).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .startsWith("batchfetch-cli: ")
        .contains("Try 'batchfetch-cli --help' for the options.");
  }

  @Test
  void anUnreadableInputFileIsAnIoError() {
    CliRun run = CliRun.of("", dir.resolve("missing.txt").toString());

    assertThat(run.status()).isEqualTo(FetchCli.IO_ERROR).isEqualTo(3);
    assertThat(run.err()).startsWith("batchfetch-cli: cannot read ").contains("missing.txt");
  }

  @Test
  void aBodiesDirectoryThatCannotBeMadeIsAnIoError() throws IOException {
    Path file = write("taken", "a file, not a directory");

    CliRun run = CliRun.of(server.url(1) + "\n", "--bodies", file.resolve("sub").toString());

    assertThat(run.status()).isEqualTo(FetchCli.IO_ERROR);
    assertThat(run.out()).isEmpty();
  }

  @Test
  void anOutputFileThatCannotBeWrittenIsAnIoError() {
    Path output = dir.resolve("no-such-directory").resolve("out.jsonl");

    CliRun run = CliRun.of(server.url(1) + "\n", "-o", output.toString());

    assertThat(run.status()).isEqualTo(FetchCli.IO_ERROR);
    assertThat(run.err()).startsWith("batchfetch-cli: cannot write ").contains("out.jsonl");
  }

  @Test
  void onATerminalDrawsABarThatEndsComplete() {
    CliRun run = CliRun.onTerminal(server.url(1) + "\n" + server.url(2) + "\n");

    assertThat(run.status()).isEqualTo(FetchCli.SUCCESS);
    assertThat(run.err()).contains("\r[========================] 2/2 100%").contains("0 failing");
  }

  @Test
  void quietDrawsNoProgressButTheSummary() {
    CliRun run = CliRun.onTerminal(server.url(1) + "\n", "--quiet");

    assertThat(run.err()).doesNotContain("\r").startsWith("batchfetch-cli: 1 line in ");
    assertThat(run.err().lines()).hasSize(2); // the summary, and its host's line
    assertThat(run.err().lines().findFirst())
        .hasValueSatisfying(s -> assertThat(s).endsWith(": 1 ok; 1 attempt"));
  }

  @Test
  void helpListsTheOptionsAndTheExitStatus() {
    CliRun run = CliRun.of("", "--help");

    assertThat(run.status()).isEqualTo(FetchCli.SUCCESS);
    assertThat(run.out())
        .contains("--rate=RATE", "--host=HOST=RATE[,N]", "--order=ORDER", "Exit status:");
  }

  private Path write(String name, String... lines) throws IOException {
    return Files.write(dir.resolve(name), List.of(lines), UTF_8);
  }

  private static final Pattern LINE = Pattern.compile("^\\{\"line\":(\\d+),");

  private static int line(String record) {
    Matcher m = LINE.matcher(record);
    assertThat(m.find()).as("a record: %s", record).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static long number(String record, String field) {
    Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(record);
    assertThat(m.find()).as("%s in %s", field, record).isTrue();
    return Long.parseLong(m.group(1));
  }
}
