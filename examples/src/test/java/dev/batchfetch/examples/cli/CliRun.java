package dev.batchfetch.examples.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * One run of the command line in this JVM, through {@link FetchCli#run}, with its standard streams
 * captured.
 *
 * @param status the exit status
 * @param out what it wrote to standard output
 * @param err what it wrote to standard error
 */
record CliRun(int status, String out, String err) {

  /** Runs {@code args} with {@code stdin} as standard input, on no terminal. */
  static CliRun of(String stdin, String... args) {
    return run(stdin, false, args);
  }

  /**
   * Runs {@code args} with {@code stdin} as standard input, as if standard error were a terminal.
   */
  static CliRun onTerminal(String stdin, String... args) {
    return run(stdin, true, args);
  }

  private static CliRun run(String stdin, boolean terminal, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        FetchCli.run(new ByteArrayInputStream(stdin.getBytes(UTF_8)), out, err, terminal, args);
    return new CliRun(status, out.toString(UTF_8), err.toString(UTF_8));
  }

  /** The lines of standard output: one JSON object each. */
  List<String> records() {
    return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n", -1)).subList(0, count());
  }

  private int count() {
    return (int) out.chars().filter(c -> c == '\n').count();
  }
}
