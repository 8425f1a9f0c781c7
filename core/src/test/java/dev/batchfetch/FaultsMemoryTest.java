package dev.batchfetch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, memory: 128 gzip bombs, or 128 chunked bodies of 20 MiB, at width 64 in a 256 MiB heap.
 * The bodies in flight together must stay within a budget: every input a {@link
 * ErrorKind#BODY_TOO_LARGE} result, no {@link OutOfMemoryError} on any thread, no hang, no
 * connection left after close. Run in a child JVM ({@link FaultsMemoryChild}), so that an
 * out-of-memory error cannot take the test JVM down.
 */
@Timeout(120)
class FaultsMemoryTest {
  private final FaultServer server =
      FaultServer.start()
          .on("/bomb", FaultsServerTest.Bodies::gzipBomb)
          .on("/chunked", FaultsServerTest.Bodies::chunked20MiB);

  @TempDir Path dir;

  @AfterEach
  void stopServer() {
    server.close();
  }

  static Stream<Arguments> policiesAndBodies() {
    return Stream.of("sequential", "pool:64", "async:64")
        .flatMap(policy -> Stream.of("/bomb", "/chunked").map(body -> Arguments.of(policy, body)));
  }

  @ParameterizedTest
  @MethodSource("policiesAndBodies")
  void bodiesInFlightTogetherStayWithinTheHeap(String policy, String body) throws Exception {
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                FaultsMemoryChild.class.getName(),
                policy,
                server.url(body),
                "128")
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    boolean exited = child.waitFor(100, TimeUnit.SECONDS);
    if (!exited) {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    String report = Files.readString(out, UTF_8).strip();
    assertThat(exited).as("the child exited; its errors: %s", tail(err)).isTrue();
    assertThat(report)
        .as("the child's report; its errors: %s", tail(err))
        .isEqualTo("results=128 kinds={BODY_TOO_LARGE=128} uncaught=0 connections=0");
  }

  private static String tail(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }
}
