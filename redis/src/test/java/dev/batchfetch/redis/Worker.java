package dev.batchfetch.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A {@link SharedQuotaWorker} JVM started by a test, talked to line by line. Not thread-safe. */
final class Worker implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;

  private Worker(Process process) {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
  }

  /** Starts a worker with {@link SharedQuotaWorker}'s arguments. */
  static Worker start(List<String> arguments) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Surefire puts the test class path here; java.class.path may be its manifest-only jar.
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                java,
                "-cp",
                classPath,
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                SharedQuotaWorker.class.getName()));
    command.addAll(arguments);
    return new Worker(
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
  }

  /** The worker's next line of output, waiting at most {@code timeout}. */
  String readLine(Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                return String.valueOf(out.readLine());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Tells the worker to start its next round. */
  void go() throws IOException {
    OutputStream in = process.getOutputStream();
    in.write("go\n".getBytes(UTF_8));
    in.flush();
  }

  /** Waits at most {@code timeout} for the worker to exit, and returns its exit code. */
  int exitCode(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("worker still running after " + timeout);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
