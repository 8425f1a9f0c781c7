package dev.batchfetch.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client process and what it reported. Clients (a JVM running {@link ClientMain}, or {@code
 * bench.py}) print one line per event on standard output: {@code RESULT <kind> key=value ...}, such
 * as {@code RESULT run index=0 nanos=812345 count=2500 ok=2500 too_many=0 failed=0}; other output
 * is ignored.
 *
 * <p>Every process is bounded: it is killed, with its descendants, when it reports nothing for
 * {@code silenceSeconds} or runs longer than {@code totalSeconds}; the lines it printed until then
 * are kept.
 */
final class Child {
  private static final String PREFIX = "RESULT ";

  private Child() {}

  /** Prints one {@code RESULT} line: {@code kind} and alternating keys and values. */
  static void print(String kind, Object... keysAndValues) {
    StringBuilder line = new StringBuilder(PREFIX).append(kind);
    for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
      line.append(' ').append(keysAndValues[i]).append('=').append(keysAndValues[i + 1]);
    }
    System.out.println(line);
    System.out.flush();
  }

  /** One {@code RESULT} line, parsed. */
  record Line(String kind, Map<String, String> values) {
    static Line parse(String text) {
      String[] words = text.substring(PREFIX.length()).trim().split(" +", -1);
      Map<String, String> values = new LinkedHashMap<>();
      for (int i = 1; i < words.length; i++) {
        int eq = words[i].indexOf('=');
        if (eq > 0) {
          values.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
      }
      return new Line(words[0], values);
    }

    long number(String key) {
      String value = values.get(key);
      return value == null ? -1 : Long.parseLong(value);
    }

    String text(String key) {
      return values.getOrDefault(key, "");
    }
  }

  /**
   * What a process reported: its lines, whether it ended by itself with status 0, whether it was
   * killed for silence or length, and the end of its standard error.
   */
  record Output(List<Line> lines, int exitCode, boolean killed, String errorTail) {
    boolean ok() {
      return exitCode == 0 && !killed;
    }

    List<Line> of(String kind) {
      return lines.stream().filter(l -> l.kind().equals(kind)).toList();
    }
  }

  /** Runs {@code command} to its end or its bound. */
  static Output run(List<String> command, long silenceSeconds, long totalSeconds)
      throws IOException, InterruptedException {
    Path errors = Files.createTempFile("batchfetch-bench", ".stderr");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectError(errors.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
              .start();
      BlockingQueue<String> queue = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> pump(process, queue), "child-output");
      reader.setDaemon(true);
      reader.start();
      List<Line> lines = new ArrayList<>();
      long start = System.nanoTime();
      long lastNews = start;
      boolean killed = false;
      while (reader.isAlive() || !queue.isEmpty()) {
        String text = queue.poll(100, TimeUnit.MILLISECONDS);
        long now = System.nanoTime();
        if (text != null) {
          lastNews = now;
          if (text.startsWith(PREFIX)) {
            lines.add(Line.parse(text));
          }
        } else if (now - lastNews > TimeUnit.SECONDS.toNanos(silenceSeconds)
            || now - start > TimeUnit.SECONDS.toNanos(totalSeconds)) {
          killed = true;
          kill(process);
          break;
        }
      }
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        killed = true;
        kill(process);
      }
      int exit = process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
      return new Output(lines, exit, killed, tail(errors));
    } finally {
      Files.deleteIfExists(errors);
    }
  }

  private static void pump(Process process, BlockingQueue<String> queue) {
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        queue.add(line);
      }
    } catch (IOException e) {
      // the process was killed
    }
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static java.io.File nullFile() {
    return new java.io.File("/dev/null");
  }

  private static String tail(Path file) {
    try {
      List<String> lines = new String(Files.readAllBytes(file), UTF_8).lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
