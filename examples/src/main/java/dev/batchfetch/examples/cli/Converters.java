package dev.batchfetch.examples.cli;

import dev.batchfetch.HostLimits;
import dev.batchfetch.RateLimit;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads the values of the command line's options: rates, durations, host limits and headers. Each
 * converter checks the syntax only; the library checks the ranges when the fetcher is configured,
 * and either failure is a usage error.
 */
final class Converters {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,15})(ms|s|min|h)?");
  private static final Pattern HOST = Pattern.compile("([^=\\s]+)=(\\S+)");

  private Converters() {}

  /**
   * A rate as {@link RateLimit#parse} reads it: {@code 300/min}, {@code 50/s+10}, {@code
   * unlimited}.
   */
  static RateLimit rate(String text) {
    try {
      return RateLimit.parse(text);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(quoting(text, e));
    }
  }

  /** {@code 500ms}, {@code 10s}, {@code 2min}, {@code 1h}; a bare number is seconds. */
  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + text + "' is not a duration: expected a whole number and ms, s, min or h");
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2);
    return switch (unit == null ? "s" : unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "min" -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }

  /**
   * {@code NAME[:PORT]=LIMITS}, the limits as {@link HostLimits#parse} reads them: {@code
   * api.example.com=10/s,4}, {@code cdn.example.com=50/s}.
   */
  static HostOverride host(String text) {
    Matcher m = HOST.matcher(text.strip());
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + text + "' is not a host's limits: expected NAME[:PORT]=RATE[,MAX_CONCURRENT]");
    }
    try {
      return new HostOverride(m.group(1), HostLimits.parse(m.group(2)));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(quoting(text, e));
    }
  }

  /** The message of {@code e}, which says what is wrong with {@code text}, quoting it first. */
  private static String quoting(String text, IllegalArgumentException e) {
    String message = String.valueOf(e.getMessage());
    return message.startsWith("'") ? message : "'" + text + "': " + message;
  }

  /** A whole number of at least {@code min}. */
  static int count(String text, int min) {
    int value;
    try {
      value = Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + text + "' is not a whole number");
    }
    if (value < min) {
      throw new TypeConversionException("'" + text + "': must be at least " + min);
    }
    return value;
  }

  /** {@code Name: value}; the blanks around the value are dropped. */
  static Header header(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new TypeConversionException("'" + text + "' is not a header: expected 'Name: value'");
    }
    return new Header(text.substring(0, colon).strip(), text.substring(colon + 1).strip());
  }

  /**
   * The limits of one named host, from {@code --host}.
   *
   * @param host {@code name} or {@code name:port}
   * @param limits its rate and its cap on calls at once
   */
  record HostOverride(String host, HostLimits limits) {}

  /**
   * A header sent with every request, from {@code --header}.
   *
   * @param name the header's name
   * @param value its value
   */
  record Header(String name, String value) {}

  /**
   * A picocli converter that reports a value out of the library's range, such as {@code 0/s}, as a
   * value that does not convert: a usage error naming the option.
   */
  private abstract static class Checked<T> implements ITypeConverter<T> {
    private final Function<String, T> parse;

    Checked(Function<String, T> parse) {
      this.parse = parse;
    }

    @Override
    public final T convert(String value) {
      try {
        return parse.apply(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("'" + value + "': " + e.getMessage());
      }
    }
  }

  /** Picocli's converter for {@link #rate}. */
  static final class Rate extends Checked<RateLimit> {
    Rate() {
      super(Converters::rate);
    }
  }

  /** Picocli's converter for {@link #duration}. */
  static final class Time extends Checked<Duration> {
    Time() {
      super(Converters::duration);
    }
  }

  /** Picocli's converter for {@link #host}. */
  static final class Host extends Checked<HostOverride> {
    Host() {
      super(Converters::host);
    }
  }

  /** Picocli's converter for a count of at least 1: threads, calls at once. */
  static final class Positive extends Checked<Integer> {
    Positive() {
      super(text -> count(text, 1));
    }
  }

  /** Picocli's converter for a count of at least 0: retries. */
  static final class NonNegative extends Checked<Integer> {
    NonNegative() {
      super(text -> count(text, 0));
    }
  }

  /** Picocli's converter for {@link #header}. */
  static final class HeaderLine extends Checked<Header> {
    HeaderLine() {
      super(Converters::header);
    }
  }
}
