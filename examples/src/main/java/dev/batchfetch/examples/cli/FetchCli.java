package dev.batchfetch.examples.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.micrometer.BatchFetcherMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command-line fetcher: fetches the URLs of a file, or of standard input, one per line, and
 * writes one JSON line per input line.
 *
 * <pre>{@code
 * java -jar examples/target/batchfetch-cli.jar --rate 300/min --max-concurrent 16 urls.txt > out.jsonl
 * }</pre>
 *
 * <p>Every option maps to one setting of {@link BatchFetcher.Builder}; {@code docs/cli.md} lists
 * them, with the output format and the exit status. Progress goes to standard error: a bar on a
 * terminal, a line every few seconds otherwise, nothing with {@code --quiet}; a summary follows.
 *
 * <p>Each instance runs one command; {@link #run} makes a new one each time.
 */
@Command(
    name = "batchfetch-cli",
    mixinStandardHelpOptions = true,
    versionProvider = FetchCli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Fetches URLs, one per line of FILE or standard input, as fast as the limits allow,"
          + " and writes one JSON line per input line: line, url, status, elapsed_ms, attempts,"
          + " bytes, error, message.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:every URL was fetched with a 2xx answer (or there were none)",
      "1:some lines failed: an error status, no answer, or not a URL",
      "2:usage error: an unknown option or a value out of range",
      "3:the input could not be read, or the output or bodies not written",
      "4:an unexpected error (a bug): see the stack trace",
      "130:stopped by SIGINT (Ctrl-C) or SIGTERM: the results that came in are written;"
          + " --resume fetches the rest"
    })
public final class FetchCli implements Callable<Integer> {
  /** Exit status: every URL succeeded. */
  public static final int SUCCESS = 0;

  /** Exit status: some lines did not yield a success. */
  public static final int SOME_FAILED = 1;

  /** Exit status: the command line is wrong; picocli's own code for usage errors. */
  public static final int USAGE = CommandLine.ExitCode.USAGE;

  /** Exit status: the input could not be read, or the output not written. */
  public static final int IO_ERROR = 3;

  /** Exit status: an unexpected exception. */
  public static final int INTERNAL_ERROR = 4;

  /** Exit status: stopped by SIGINT or SIGTERM before every line had its result; 128 + 2. */
  public static final int INTERRUPTED = 130;

  /** How long the signal's hook waits for the output after the grace period, before it halts. */
  private static final Duration HOOK_SLACK = Duration.ofSeconds(30);

  @Mixin private CliOptions options = new CliOptions();

  @Spec
  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  private CommandSpec spec;

  private final InputStream stdin;
  private final OutputStream stdout;
  private final PrintWriter stderr;
  private final boolean terminal;
  private final Stop stop;

  private FetchCli(
      InputStream stdin, OutputStream stdout, PrintWriter stderr, boolean terminal, Stop stop) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
    this.terminal = terminal;
    this.stop = stop;
  }

  /**
   * Runs the command line {@code args} on the process's streams and exits with its status. SIGINT
   * and SIGTERM stop it early: the JVM runs its shutdown hooks on them while the other threads go
   * on, so a hook asks the run to stop, waits for it to write what it has, and halts with {@link
   * #INTERRUPTED}.
   */
  public static void main(String[] args) throws InterruptedException {
    Stop stop = new Stop();
    Thread hook =
        new Thread(
            () -> {
              stop.request();
              int status = stop.awaitFinished(INTERRUPTED);
              System.out.flush();
              System.err.flush();
              Runtime.getRuntime().halt(status);
            },
            "batchfetch-cli-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    int status = run(System.in, System.out, System.err, interactive(), stop, args);
    boolean hookRuns = stop.isRequested();
    if (!hookRuns) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        hookRuns = true; // a signal came just now
      }
    }
    if (hookRuns) {
      stop.finish(status);
      Thread.currentThread().join(); // the hook halts the JVM with the status
    }
    System.exit(status);
  }

  /**
   * Whether the JVM runs in a terminal, standard input and output both: Java has no test for
   * standard error alone. Up to JDK 21 {@code System.console()} is null otherwise; from JDK 22 on
   * it never is, and {@code Console.isTerminal()} tells.
   */
  @SuppressWarnings("SystemConsoleNull") // handled: isTerminal() decides from JDK 22 on
  static boolean interactive() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return Boolean.TRUE.equals(Console.class.getMethod("isTerminal").invoke(console));
    } catch (NoSuchMethodException e) {
      return true; // before JDK 22, a console is a terminal
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  /**
   * Runs the command line {@code args} in this process: the entry point of {@link #main} and of
   * tests.
   *
   * @param stdin where the URLs come from when no file is named
   * @param stdout where the JSON lines go without {@code --output}, and the help
   * @param stderr where progress, the summary and errors go
   * @param terminal whether {@code stderr} is a terminal: a progress bar rather than lines
   * @return the exit status: {@link #SUCCESS}, {@link #SOME_FAILED}, {@link #USAGE}, {@link
   *     #IO_ERROR} or {@link #INTERNAL_ERROR}
   */
  public static int run(
      InputStream stdin,
      OutputStream stdout,
      OutputStream stderr,
      boolean terminal,
      String... args) {
    return run(stdin, stdout, stderr, terminal, Stop.never(), args);
  }

  /**
   * Runs {@code args} as {@link #run(InputStream, OutputStream, OutputStream, boolean, String...)}
   * does, stopping early when {@code stop} is requested.
   */
  static int run(
      InputStream stdin,
      OutputStream stdout,
      OutputStream stderr,
      boolean terminal,
      Stop stop,
      String... args) {
    PrintWriter err = new PrintWriter(new OutputStreamWriter(stderr, UTF_8), true);
    CommandLine commandLine = new CommandLine(new FetchCli(stdin, stdout, err, terminal, stop));
    commandLine.setOut(new PrintWriter(new OutputStreamWriter(stdout, UTF_8), true));
    commandLine.setErr(err);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setParameterExceptionHandler(
        (e, arguments) -> {
          PrintWriter out = e.getCommandLine().getErr();
          out.println("batchfetch-cli: " + e.getMessage());
          UnmatchedArgumentException.printSuggestions(e, out);
          out.println("Try 'batchfetch-cli --help' for the options.");
          return USAGE;
        });
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr().println("batchfetch-cli: unexpected error");
          e.printStackTrace(cmd.getErr());
          return INTERNAL_ERROR;
        });
    int status = commandLine.execute(args);
    err.flush();
    return status;
  }

  /** Fetches every line and writes its result; what {@link #run} calls after parsing. */
  @Override
  public Integer call() {
    BatchFetcher.Builder builder;
    try {
      builder = options.fetcherBuilder();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    stop.expectWithin(options.grace.plus(HOOK_SLACK));
    List<InputLines.Line> lines;
    try {
      lines = readInput();
    } catch (IOException e) {
      return ioError(
          "cannot read " + (options.input == null ? "standard input" : options.input), e);
    }
    Resume resume = Resume.NONE;
    Path output = options.output;
    if (options.resume) {
      if (output == null) {
        throw new ParameterException(
            spec.commandLine(), "--resume needs --output FILE: the file to read and append to");
      }
      try {
        resume = Resume.read(output);
      } catch (IOException e) {
        return ioError("cannot read " + output + " to resume", e);
      }
      lines = resume.remaining(lines);
    }
    Path bodies = options.bodies;
    if (bodies != null) {
      try {
        Files.createDirectories(bodies);
      } catch (IOException e) {
        return ioError("cannot make the directory " + bodies, e);
      }
    }
    Writer out;
    try {
      out = openOutput();
    } catch (IOException e) {
      return ioError("cannot write " + options.output, e);
    }
    // Per-host lines for the summary, and the meters of --metrics: from the fetcher's events.
    HostLines hostLines = new HostLines(options::configuredRate);
    builder.eventListener(hostLines);
    PrometheusMeterRegistry meters = null;
    if (options.metrics != null) {
      meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      builder.eventListener(BatchFetcherMetrics.builder(meters).hostTags(100).build());
    }
    long start = System.nanoTime();
    Summary summary = new Summary();
    boolean complete;
    try {
      try {
        complete = fetch(builder, lines, out, bodies, summary);
      } finally {
        if (options.output == null) {
          out.flush(); // standard output stays open
        } else {
          out.close();
        }
      }
    } catch (IOException e) {
      return ioError("cannot write the results", e);
    }
    if (!complete) {
      stderr.printf(
          Locale.ROOT,
          "batchfetch-cli: stopped by a signal: %,d of %s not fetched;"
              + " run again with --resume to fetch them%n",
          lines.size() - summary.lines(),
          HostLines.count(lines.size(), "line"));
    }
    if (options.resume) {
      stderr.printf(
          Locale.ROOT,
          "batchfetch-cli: resumed: %s %s done before%n",
          HostLines.count(resume.size(), "line"),
          resume.size() == 1 ? "was" : "were");
    }
    stderr.println(summary.text(Duration.ofNanos(System.nanoTime() - start)));
    hostLines.print(stderr);
    if (meters != null && options.metrics != null) {
      try {
        Files.writeString(options.metrics, meters.scrape(), UTF_8);
      } catch (IOException e) {
        return ioError("cannot write the meters to " + options.metrics, e);
      }
    }
    stderr.flush();
    if (!complete) {
      return INTERRUPTED;
    }
    return summary.allSucceeded() && resume.failed() == 0 ? SUCCESS : SOME_FAILED;
  }

  private boolean fetch(
      BatchFetcher.Builder builder,
      List<InputLines.Line> lines,
      Writer out,
      @Nullable Path bodies,
      Summary summary)
      throws IOException {
    List<String> urls = lines.stream().map(InputLines.Line::url).toList();
    Progress.Mode mode =
        options.quiet ? Progress.Mode.OFF : terminal ? Progress.Mode.BAR : Progress.Mode.LINES;
    try (CliFetch batch = new CliFetch(builder)) {
      Progress progress = Progress.start(mode, urls.size(), batch::progress, stderr);
      try {
        boolean complete =
            batch.fetch(
                urls,
                options.order,
                result -> {
                  int line = lines.get(result.index()).number();
                  out.write(JsonLine.of(line, result));
                  out.write('\n');
                  if (bodies != null && result.status() != 0) {
                    Files.write(bodies.resolve(line + ".body"), result.body());
                  }
                  summary.add(result);
                },
                stop,
                options.grace);
        summary.learned(batch.learnedRates());
        return complete;
      } finally {
        progress.close(); // before the summary, and before the fetcher's close waits
      }
    }
  }

  private List<InputLines.Line> readInput() throws IOException {
    Path input = options.input;
    if (input == null || input.toString().equals("-")) {
      return InputLines.read(new BufferedReader(new InputStreamReader(stdin, UTF_8)));
    }
    try (BufferedReader reader = Files.newBufferedReader(input, UTF_8)) {
      return InputLines.read(reader);
    }
  }

  private Writer openOutput() throws IOException {
    Path output = options.output;
    if (output == null) {
      return new BufferedWriter(new OutputStreamWriter(stdout, UTF_8));
    }
    return options.resume
        ? Files.newBufferedWriter(
            output, UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
        : Files.newBufferedWriter(output, UTF_8);
  }

  private int ioError(String what, IOException e) {
    stderr.println("batchfetch-cli: " + what + ": " + e);
    return IO_ERROR;
  }

  /** The version {@code --version} prints: the jar's, or {@code dev} in a build tree. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"batchfetch-cli " + dev.batchfetch.Version.VERSION};
    }
  }
}
