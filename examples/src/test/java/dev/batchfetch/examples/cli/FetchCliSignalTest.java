package dev.batchfetch.examples.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line stopped by a real signal, in a child JVM: SIGINT and SIGTERM let the calls in
 * flight finish within the grace period, write every result that came in as a whole line, print the
 * summary and exit 130; {@code --resume} then fetches only what is missing (issue 15).
 */
@Timeout(120)
class FetchCliSignalTest {
  private static final int LINES = 200;

  /** Inputs below this number are answered at once; the others are held until released. */
  private static final int FAST = 50;

  private static final int IN_FLIGHT = 8;

  @TempDir Path dir;
  private final MockWebServer server = new MockWebServer();
  private final Held held = new Held();
  private final List<Process> children = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server.setDispatcher(held);
    server.start();
  }

  @AfterEach
  void stop() {
    held.release.countDown();
    children.forEach(Process::destroyForcibly);
    server.close();
  }

  /** Answers {@code /id/n} with {@code n}; from {@link #FAST} on, once {@link #release} opens. */
  static final class Held extends Dispatcher {
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch heldTogether = new CountDownLatch(IN_FLIGHT);
    final Set<String> answered = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final AtomicInteger requests = new AtomicInteger();

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
      requests.incrementAndGet();
      String path = request.getUrl().encodedPath();
      int id = Integer.parseInt(path.substring("/id/".length()));
      if (id >= FAST) {
        heldTogether.countDown();
        if (!release.await(60, TimeUnit.SECONDS)) {
          return new MockResponse.Builder().code(504).build();
        }
      }
      answered.add(path);
      return new MockResponse.Builder().body(Integer.toString(id)).build();
    }
  }

  private Path urls() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("# one URL a line");
    IntStream.range(0, LINES).forEach(i -> lines.add(server.url("/id/" + i).toString()));
    return Files.write(dir.resolve("urls.txt"), lines, UTF_8);
  }

  private Process cli(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(FetchCli.class.getName());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(dir.resolve("stdout.txt").toFile())
            .redirectError(dir.resolve("stderr.txt").toFile())
            .start();
    children.add(process);
    return process;
  }

  private void awaitHeld(Process cli) throws InterruptedException {
    if (!held.heldTogether.await(60, TimeUnit.SECONDS)) {
      fail(
          "the command line did not get %d calls in flight (alive: %s); it wrote: %s",
          IN_FLIGHT, cli.isAlive(), err());
    }
  }

  private static void signal(Process process, String signal) throws Exception {
    // bash's own kill: a machine with bash need not have procps' kill.
    Process kill =
        new ProcessBuilder("bash", "-c", "kill -" + signal + " " + process.pid())
            .inheritIO()
            .start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -%s", signal).isZero();
  }

  private static int exit(Process process) throws InterruptedException {
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the command line exited").isTrue();
    return process.exitValue();
  }

  private String err() {
    try {
      return Files.readString(dir.resolve("stderr.txt"), UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Every line of {@code output} is a whole JSON record; returns them, by input line number. */
  private static List<Map<String, @Nullable Object>> records(Path output) throws IOException {
    String text = Files.readString(output, UTF_8);
    assertThat(text)
        .as("the output ends with a whole line")
        .satisfiesAnyOf(t -> assertThat(t).isEmpty(), t -> assertThat(t).endsWith("\n"));
    List<Map<String, @Nullable Object>> records = new ArrayList<>();
    Set<Long> numbers = new HashSet<>();
    for (String line : text.lines().toList()) {
      Map<String, @Nullable Object> record = JsonLine.parse(line);
      assertThat(record).as("a whole JSON line: %s", line).isNotNull();
      assertThat(numbers.add((Long) record.get("line")))
          .as("line written twice: %s", line)
          .isTrue();
      records.add(record);
    }
    return records;
  }

  @Test
  void sigintLetsTheCallsInFlightFinishWritesWholeLinesAndExits130() throws Exception {
    Path output = dir.resolve("out.jsonl");
    Process cli =
        cli("--async", Integer.toString(IN_FLIGHT), "-o", output.toString(), urls().toString());
    awaitHeld(cli);

    signal(cli, "INT");
    held.release.countDown(); // the calls in flight answer within the grace period

    assertThat(exit(cli)).as("exit status; it wrote: %s", err()).isEqualTo(FetchCli.INTERRUPTED);
    List<Map<String, @Nullable Object>> records = records(output);
    assertThat(records.size())
        .as("lines written: the fast ones and those in flight at the signal")
        .isBetween(FAST + IN_FLIGHT, LINES - 1);
    assertThat(records).allSatisfy(r -> assertThat(r.get("status")).isEqualTo(200L));
    assertThat(records.size()).as("every answered request written").isEqualTo(held.answered.size());
    assertThat(err())
        .contains("stopped by a signal")
        .contains("--resume")
        .containsPattern("batchfetch-cli: [0-9,]+ lines in ");
  }

  @Test
  void sigtermAfterTheGracePeriodWritesWhatCameInAndResumeFetchesTheRest() throws Exception {
    Path output = dir.resolve("out.jsonl");
    Path urls = urls();
    Process cli =
        cli(
            "--async",
            Integer.toString(IN_FLIGHT),
            "--order",
            "completion",
            "--grace",
            "300ms",
            "-o",
            output.toString(),
            urls.toString());
    awaitHeld(cli);

    signal(cli, "TERM"); // the calls in flight never answer: cut after the grace period

    assertThat(exit(cli)).as("exit status; it wrote: %s", err()).isEqualTo(FetchCli.INTERRUPTED);
    List<Map<String, @Nullable Object>> first = records(output);
    assertThat(first).hasSize(FAST);
    assertThat(err()).contains((LINES - FAST) + " of " + LINES + " lines not fetched");

    held.release.countDown();
    int before = held.requests.get();
    Process resumed = cli("--resume", "-o", output.toString(), urls.toString());

    assertThat(exit(resumed)).as("exit status; it wrote: %s", err()).isEqualTo(FetchCli.SUCCESS);
    List<Map<String, @Nullable Object>> all = records(output);
    assertThat(all).hasSize(LINES);
    assertThat(all.stream().map(r -> (Long) r.get("line")).sorted().toList())
        .containsExactlyElementsOf(LongStream.rangeClosed(2, LINES + 1).boxed().toList());
    assertThat(all)
        .allSatisfy(
            r -> assertThat((String) r.get("url")).endsWith("/id/" + ((Long) r.get("line") - 2)));
    assertThat(held.requests.get() - before)
        .as("requests of the resumed run")
        .isEqualTo(LINES - FAST);
    assertThat(err()).contains("resumed: " + FAST + " lines were done before");
  }
}
