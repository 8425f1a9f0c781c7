package dev.batchfetch.internal.quota;

import dev.batchfetch.internal.quota.QuotaHeaders.Part;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The request-quota fields of vendors whose names or value forms are their own:
 *
 * <ul>
 *   <li>OpenAI: {@code x-ratelimit-limit-requests: 60}, {@code x-ratelimit-remaining-requests: 59},
 *       {@code x-ratelimit-reset-requests: 1s}, the reset a Go duration ({@code 6m0s}, {@code 1s},
 *       {@code 12ms}, {@code 1h2m3.5s}) until the quota is back to its initial state. The {@code
 *       -tokens} fields count tokens, not requests, and are not read.
 *   <li>Anthropic: {@code anthropic-ratelimit-requests-limit}, {@code -remaining}, {@code -reset},
 *       the reset an RFC 3339 time ({@code 2025-06-01T12:00:30Z}) when the quota is fully
 *       replenished.
 *   <li>Shopify: {@code X-Shopify-Shop-Api-Call-Limit: 32/40}, 32 calls in a leaky bucket of 40,
 *       which Shopify documents as draining its whole size in 20 s (40 at 2/s, and 80 at 4/s on
 *       Plus).
 * </ul>
 *
 * <p>All three refill continuously (a token or leaky bucket), so their reset is not a window's end:
 * the window is derived from it instead, as the time the whole limit takes to refill ({@code reset
 * x limit / (limit - remaining)}: 60 requests, 59 left, back in 1 s is 60 per minute), and the
 * reset is kept only when nothing remains, as the time to wait.
 *
 * <p>Over several lines of a field, limit and remaining take the smallest, reset the latest. Values
 * that do not parse are ignored. Stateless and thread-safe; never throws on any field value.
 */
final class VendorFields {
  /** Shopify's REST buckets drain their whole size in this time. */
  static final Duration SHOPIFY_DRAIN = Duration.ofSeconds(20);

  private static final Part NONE = new Part(-1, -1, null, null);

  private VendorFields() {}

  static Part openAi(Function<String, List<String>> fields, Horizon horizon) {
    return refilling(
        fields,
        "x-ratelimit-limit-requests",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-reset-requests",
        value -> {
          long millis = goDurationMillis(value);
          return millis < 0 ? null : horizon.after(millis);
        },
        horizon);
  }

  static Part anthropic(Function<String, List<String>> fields, Horizon horizon) {
    return refilling(
        fields,
        "anthropic-ratelimit-requests-limit",
        "anthropic-ratelimit-requests-remaining",
        "anthropic-ratelimit-requests-reset",
        value -> {
          Instant time = rfc3339(value);
          return time == null ? null : horizon.clamp(time);
        },
        horizon);
  }

  static Part shopify(Function<String, List<String>> fields, Horizon horizon) {
    long limit = -1;
    long remaining = -1;
    for (String line : fields.apply("x-shopify-shop-api-call-limit")) {
      String value = HeaderNumbers.trimOws(line);
      int slash = value.indexOf('/');
      long used = slash < 0 ? -1 : HeaderNumbers.count(value.substring(0, slash));
      long size = slash < 0 ? -1 : HeaderNumbers.count(value.substring(slash + 1));
      if (used >= 0 && size > 0) {
        limit = QuotaHeaders.smallest(limit, size);
        remaining = QuotaHeaders.smallest(remaining, Math.max(0, size - used));
      }
    }
    if (limit < 0) {
      return NONE;
    }
    // Empty, the bucket takes one call back after drain / size.
    Instant reset = remaining == 0 ? horizon.after(oneBack(SHOPIFY_DRAIN.toMillis(), limit)) : null;
    return new Part(limit, remaining, reset, SHOPIFY_DRAIN);
  }

  private static Part refilling(
      Function<String, List<String>> fields,
      String limitName,
      String remainingName,
      String resetName,
      Function<String, @Nullable Instant> resetParser,
      Horizon horizon) {
    long limit = -1;
    long remaining = -1;
    Instant reset = null;
    for (String line : fields.apply(limitName)) {
      limit = QuotaHeaders.smallest(limit, HeaderNumbers.count(line));
    }
    for (String line : fields.apply(remainingName)) {
      remaining = QuotaHeaders.smallest(remaining, HeaderNumbers.count(line));
    }
    for (String line : fields.apply(resetName)) {
      reset = QuotaHeaders.later(reset, resetParser.apply(line));
    }
    if (limit < 0 && remaining < 0 && reset == null) {
      return NONE;
    }
    Duration window = null;
    if (reset != null && limit > 0 && remaining >= 0 && remaining < limit) {
      long toFull = Duration.between(horizon.now(), reset).toMillis();
      double millis = Math.ceil((double) toFull * limit / (limit - remaining));
      long max = QuotaHeaders.MAX_HORIZON.toMillis();
      window = millis < 1 ? null : Duration.ofMillis(millis >= max ? max : (long) millis);
    }
    if (remaining != 0 || reset == null) {
      return new Part(limit, remaining, null, window);
    }
    // Nothing left: one request is back after a limit's share of the time to full.
    long toFull = Duration.between(horizon.now(), reset).toMillis();
    return new Part(limit, 0, horizon.after(oneBack(toFull, Math.max(1, limit))), window);
  }

  /** The milliseconds until one of {@code size} requests is back, rounded up. */
  private static long oneBack(long toFullMillis, long size) {
    return toFullMillis / size + (toFullMillis % size == 0 ? 0 : 1);
  }

  /**
   * A Go duration ({@code time.Duration.String()}: {@code 1h2m3.5s}, {@code 12ms}, {@code 0s}) in
   * milliseconds, rounded up and saturating; -1 if {@code value} is not one. Units: h, m, s, ms, us
   * (or µs), ns; each number may have a fraction.
   */
  static long goDurationMillis(String value) {
    String s = HeaderNumbers.trimOws(value);
    if (s.isEmpty()) {
      return -1;
    }
    double nanos = 0;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && ((s.charAt(i) >= '0' && s.charAt(i) <= '9') || s.charAt(i) == '.')) {
        i++;
      }
      String number = s.substring(start, i);
      int unitStart = i;
      while (i < s.length() && !(s.charAt(i) >= '0' && s.charAt(i) <= '9') && s.charAt(i) != '.') {
        i++;
      }
      long unit = unitNanos(s.substring(unitStart, i));
      long millis = HeaderNumbers.millis(number); // the number times 1000, rounded up
      if (unit < 0 || millis < 0 || number.isEmpty()) {
        return -1;
      }
      nanos += millis / 1000.0 * unit;
    }
    double millis = Math.ceil(nanos / 1_000_000.0 - 1e-9);
    return millis >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, (long) millis);
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "h" -> 3_600_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "s" -> 1_000_000_000L;
      case "ms" -> 1_000_000L;
      case "us", "\u00b5s", "\u03bcs" -> 1_000L;
      case "ns" -> 1L;
      default -> -1;
    };
  }

  /** An RFC 3339 date-time ({@code 2025-06-01T12:00:30.5Z}, any offset), or null. */
  static @Nullable Instant rfc3339(String value) {
    String s = HeaderNumbers.trimOws(value).toUpperCase(Locale.ROOT);
    if (s.length() > 10 && s.charAt(10) == ' ') {
      s = s.substring(0, 10) + 'T' + s.substring(11); // RFC 3339 allows a space for the T
    }
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeException e) {
      return null;
    }
  }
}
