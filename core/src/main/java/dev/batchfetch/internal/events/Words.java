package dev.batchfetch.internal.events;

import dev.batchfetch.RateLimit;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.Locale;

/** Durations, rates and sizes as a person reads them in a log line: "2 s", "10/s", "1.2 MB". */
final class Words {
  private Words() {}

  /** {@code 850 ms}, {@code 2 s}, {@code 1.5 s}, {@code 3 min}, {@code 2 h}. */
  static String duration(Duration d) {
    long millis = d.toMillis();
    if (millis < 1_000) {
      return millis + " ms";
    }
    if (millis < 60_000) {
      return trim(millis / 1_000.0) + " s";
    }
    if (millis < 3_600_000) {
      return trim(millis / 60_000.0) + " min";
    }
    return trim(millis / 3_600_000.0) + " h";
  }

  /**
   * {@code 10/s}, {@code 300/min}, {@code 5000/h}, one call per an interval under a minute as calls
   * per second ({@code 0.97/s}), else {@code 100 per 90 s}; and its burst.
   */
  static String rate(RateLimit rate) {
    if (rate.isUnlimited()) {
      return "unlimited";
    }
    Duration period = rate.period();
    String per;
    if (period.equals(Duration.ofSeconds(1))) {
      per = rate.permits() + "/s";
    } else if (period.equals(Duration.ofMinutes(1))) {
      per = rate.permits() + "/min";
    } else if (period.equals(Duration.ofHours(1))) {
      per = rate.permits() + "/h";
    } else if (rate.permits() == 1 && period.compareTo(Duration.ofMinutes(1)) < 0) {
      // One call per an odd interval, as a learned rate is kept: calls per second read better.
      per =
          new BigDecimal(1e9 / period.toNanos())
                  .round(new MathContext(3))
                  .stripTrailingZeros()
                  .toPlainString()
              + "/s";
    } else {
      per = rate.permits() + " per " + duration(period);
    }
    return rate.burst() == 0 ? per : per + " (burst " + rate.burst() + ")";
  }

  /** {@code 512 B}, {@code 1.2 kB}, {@code 3.4 MB}, {@code 1.1 GB}. */
  static String bytes(long bytes) {
    if (bytes < 1_000) {
      return bytes + " B";
    }
    if (bytes < 1_000_000) {
      return trim(bytes / 1e3) + " kB";
    }
    if (bytes < 1_000_000_000) {
      return trim(bytes / 1e6) + " MB";
    }
    return trim(bytes / 1e9) + " GB";
  }

  /** One decimal, none when it is zero: {@code 2}, {@code 1.5}. */
  private static String trim(double value) {
    String text = String.format(Locale.ROOT, "%.1f", value);
    return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
  }
}
