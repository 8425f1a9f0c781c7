package dev.batchfetch.examples;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.Result;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The classic lesson, timed: fetch the same URLs one after another, on a thread pool, and
 * asynchronously, from a local {@link IdServer}, and print how long each took.
 *
 * <pre>{@code
 * java -jar examples/target/batchfetch-demo.jar --count 2500 --delay-ms 5
 * }</pre>
 *
 * <p>Each policy gets a fresh fetcher, closed when its batch is done, so none profits from
 * another's connections. A short untimed warm-up runs first so that the first policy does not pay
 * for the JVM's class loading and compilation alone. A result counts as a success only if its body
 * is the id it asked for.
 */
public final class ClassicComparison {
  private static final String ROW = "%-12s %10s %13s %12s%n";

  private ClassicComparison() {}

  /** Runs the comparison with the options of {@code args} (see {@link Options#USAGE}). */
  public static void main(String[] args) throws IOException {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(Options.USAGE);
      return;
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(2);
      return;
    }
    try (IdServer server = IdServer.start(options.delay())) {
      printIntro(server, options);
      System.out.printf(Locale.ROOT, ROW, "policy", "time (ms)", "requests/s", "successes");
      compare(server, options, ClassicComparison::printRow);
    }
  }

  /**
   * Warms up, then fetches {@code options.count()} URLs of {@code server} with each policy in turn:
   * sequential, {@code pool(options.threads())}, {@code async(options.inFlight())}.
   *
   * @param onEach called with each measurement as soon as it is taken, for progress
   * @return one measurement per policy, in that order
   */
  public static List<Measurement> compare(
      IdServer server, Options options, Consumer<Measurement> onEach) {
    if (options.warmUp() > 0) { // untimed: lets the JIT compile OkHttp's and the server's code
      measure(() -> BatchFetcher.async(options.inFlight()), server.urls(options.warmUp()));
    }
    List<Supplier<BatchFetcher>> fetchers =
        List.of(
            BatchFetcher::sequential,
            () -> BatchFetcher.pool(options.threads()),
            () -> BatchFetcher.async(options.inFlight()));
    List<String> urls = server.urls(options.count());
    List<Measurement> measurements = new ArrayList<>();
    for (Supplier<BatchFetcher> fetcher : fetchers) {
      Measurement measurement = measure(fetcher, urls);
      onEach.accept(measurement);
      measurements.add(measurement);
    }
    return measurements;
  }

  /** Times one batch of {@code urls} (ids 0, 1, 2, ...) on a new fetcher, closed afterwards. */
  static Measurement measure(Supplier<BatchFetcher> newFetcher, List<String> urls) {
    try (BatchFetcher fetcher = newFetcher.get()) {
      long start = System.nanoTime();
      List<Result> results = fetcher.fetchAll(urls).join();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      int successes = (int) results.stream().filter(ClassicComparison::isCorrect).count();
      return new Measurement(fetcher.policy().toString(), urls.size(), elapsed, successes);
    }
  }

  /** A success whose body is its id; the URL of index {@code i} asks for id {@code i}. */
  private static boolean isCorrect(Result result) {
    return result.isSuccess() && result.text().equals(Integer.toString(result.index()));
  }

  private static void printIntro(IdServer server, Options options) {
    System.out.printf(
        Locale.ROOT,
        "Fetching %,d URLs from %s/id/{n} (%d ms per response), Java %s, %d cores.%n",
        options.count(),
        "http://127.0.0.1:" + server.port(),
        options.delay().toMillis(),
        Runtime.version().feature(),
        Runtime.getRuntime().availableProcessors());
    if (options.warmUp() > 0) {
      System.out.printf(
          Locale.ROOT,
          "Warm-up first (not timed): %,d URLs with async(%d).%n%n",
          options.warmUp(),
          options.inFlight());
    }
  }

  private static void printRow(Measurement m) {
    System.out.printf(
        Locale.ROOT,
        ROW,
        m.policy(),
        String.format(Locale.ROOT, "%,d", m.elapsed().toMillis()),
        String.format(Locale.ROOT, "%,.0f", m.requestsPerSecond()),
        m.successes() + "/" + m.count());
  }
}
