package dev.batchfetch.examples;

import java.time.Duration;
import java.util.Locale;

/**
 * The settings of one {@link ClassicComparison} run, parsed from its command line.
 *
 * <p>Immutable and thread-safe.
 *
 * @param count how many URLs each policy fetches, at least 1
 * @param delay how long the local server waits before each response, not negative
 * @param threads the thread count of the pool policy, at least 1
 * @param inFlight the most calls in flight of the async policy, at least 1
 * @param warmUp how many URLs the untimed warm-up fetches with the async policy, at least 0
 */
public record Options(int count, Duration delay, int threads, int inFlight, int warmUp) {

  /** The options when none are given: 2,500 URLs, 5 ms per response, pool(16), async(64). */
  public static final Options DEFAULTS = new Options(2500, Duration.ofMillis(5), 16, 64, 200);

  /** What {@code --help} prints. */
  public static final String USAGE =
      String.join(
          System.lineSeparator(),
          "usage: java -jar batchfetch-demo.jar [options]",
          "  --count N       URLs fetched by each policy (default 2500)",
          "  --delay-ms D    delay of the local server before each response, ms (default 5)",
          "  --threads T     threads of the pool policy (default 16)",
          "  --in-flight F   calls in flight of the async policy (default 64)",
          "  --warm-up W     URLs fetched, untimed, before measuring (default 200)",
          "  --help          print this and exit");

  /**
   * Checks the values.
   *
   * @throws NullPointerException if {@code delay} is null
   * @throws IllegalArgumentException if a value is out of range, naming it
   */
  public Options {
    atLeast(1, count, "count");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    atLeast(1, threads, "threads");
    atLeast(1, inFlight, "inFlight");
    atLeast(0, warmUp, "warmUp");
  }

  /**
   * Parses {@code --name value} pairs (or {@code --name=value}); what is not given keeps its
   * default.
   *
   * @throws IllegalArgumentException naming the option that is unknown, lacks a value, or is not a
   *     number in range
   */
  public static Options parse(String... args) {
    int count = DEFAULTS.count;
    long delayMs = DEFAULTS.delay.toMillis();
    int threads = DEFAULTS.threads;
    int inFlight = DEFAULTS.inFlight;
    int warmUp = DEFAULTS.warmUp;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      String value;
      int equals = name.indexOf('=');
      if (equals > 0) {
        value = name.substring(equals + 1);
        name = name.substring(0, equals);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException(name + " needs a value");
      }
      switch (name) {
        case "--count" -> count = number(name, value);
        case "--delay-ms" -> delayMs = number(name, value);
        case "--threads" -> threads = number(name, value);
        case "--in-flight" -> inFlight = number(name, value);
        case "--warm-up" -> warmUp = number(name, value);
        default -> throw new IllegalArgumentException("unknown option " + name);
      }
    }
    return new Options(count, Duration.ofMillis(delayMs), threads, inFlight, warmUp);
  }

  private static int number(String name, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "%s needs a whole number, was \"%s\"", name, value), e);
    }
  }

  private static void atLeast(int min, int value, String name) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
    }
  }
}
