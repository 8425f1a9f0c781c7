package dev.batchfetch.internal.quota;

import dev.batchfetch.internal.quota.QuotaSignal.Quota;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.function.Function;
import okhttp3.Headers;
import org.jspecify.annotations.Nullable;

/**
 * Reads what a response's headers say about the server's quota, as a {@link QuotaSignal}.
 *
 * <pre>{@code
 * QuotaSignal signal = QuotaHeaders.parse(response.headers(), Instant.now());
 * Instant hold = signal.holdUntil(); // null: no reason to wait
 * }</pre>
 *
 * <p>Field names are matched ignoring case. Values are untrusted: parsing never throws, anything
 * malformed is ignored (the part stays unknown), and every time is clamped into [{@code now},
 * {@code now} + {@link #MAX_HORIZON}]: a time in the past means now, a later one the horizon.
 *
 * <p>Fields read:
 *
 * <ul>
 *   <li>{@code Retry-After}: delta-seconds (a decimal such as {@code 1.5} is rounded up to whole
 *       seconds) or an HTTP-date in any of the three forms of {@link HttpDates}. Over several lines
 *       the latest time wins.
 *   <li>The IETF structured fields {@code RateLimit} and {@code RateLimit-Policy}, both forms of
 *       the draft: see {@link RateLimitFields}.
 *   <li>{@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset} (earlier
 *       drafts), and {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining}, {@code
 *       X-RateLimit-Reset}, {@code X-RateLimit-Reset-After} (GitHub, Discord and many others). A
 *       line's value is its first comma-separated element without parameters ({@code 100, 100;w=60}
 *       is 100); over several lines, limit and remaining take the smallest, reset the latest.
 *       Counts are non-negative integers, saturating at {@link Long#MAX_VALUE}.
 *   <li>X (Twitter): {@code x-rate-limit-limit}, {@code x-rate-limit-remaining}, {@code
 *       x-rate-limit-reset} (a Unix time in seconds), read as the {@code X-RateLimit-*} family.
 *   <li>OpenAI's {@code x-ratelimit-*-requests}, Anthropic's {@code anthropic-ratelimit-requests-*}
 *       and Shopify's {@code X-Shopify-Shop-Api-Call-Limit}: see {@link VendorFields}.
 *   <li>{@code RateLimit-Reset} and {@code X-RateLimit-Reset} are told apart by magnitude: below
 *       10^9 a delta in seconds; from 10^9 (2001-09-09) a Unix time in seconds, as GitHub sends;
 *       from 10^12 a Unix time in milliseconds. Either may have a fraction, kept to the millisecond
 *       and rounded up. {@code X-RateLimit-Reset-After} (Discord: a delta in seconds, possibly
 *       fractional) wins over {@code X-RateLimit-Reset}, being immune to clock skew.
 * </ul>
 *
 * <p>Precedence: each of limit, remaining, reset and window comes from the first family that gives
 * it, in the order IETF structured fields, {@code RateLimit-*}, {@code X-RateLimit-*}, X's {@code
 * x-rate-limit-*}, OpenAI, Anthropic, Shopify; so a server that sends a family only in part still
 * has the rest read from another. These four parts make the binding quota, first in {@link
 * QuotaSignal#quotas()}; the IETF fields' other policies follow it. Retry-After is its own part;
 * {@link QuotaSignal#holdUntil()} combines them.
 *
 * <p>Stateless and thread-safe.
 */
public final class QuotaHeaders {
  /** How far after the response any time in a signal may lie. */
  public static final Duration MAX_HORIZON = Duration.ofDays(366);

  private static final long EPOCH_SECONDS_FROM = 1_000_000_000L; // 2001-09-09T01:46:40Z
  private static final long EPOCH_MILLIS_FROM = 1_000_000_000_000L;

  /**
   * The prefixes of every field name any family here reads, in lower case: a response with none of
   * them is read no further. A new family's names must start with one of these.
   */
  private static final List<String> FIELD_PREFIXES =
      List.of(
          "retry-after",
          "ratelimit",
          "x-ratelimit",
          "x-rate-limit",
          "anthropic-ratelimit",
          "x-shopify-shop-api-call-limit");

  private QuotaHeaders() {}

  /**
   * Reads the quota headers of a response received at {@code now}; never throws on any header.
   *
   * @throws NullPointerException if {@code headers} or {@code now} is null
   */
  public static QuotaSignal parse(Headers headers, Instant now) {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(now, "now");
    for (int i = 0; i < headers.size(); i++) {
      if (isQuotaField(headers.name(i))) {
        return parse(headers::values, now);
      }
    }
    return QuotaSignal.NONE; // most responses: one look at each name, nothing made
  }

  /** Whether {@code name} may be a field one of the families here reads. */
  static boolean isQuotaField(String name) {
    for (String prefix : FIELD_PREFIXES) {
      if (name.regionMatches(true, 0, prefix, 0, prefix.length())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads the quota headers of a response received at {@code now}, from a map of field name to its
   * lines (as {@code Result#headers()} gives them); never throws on any content. Names are matched
   * ignoring case; null names, lists and values are skipped.
   *
   * @throws NullPointerException if {@code headers} or {@code now} is null
   */
  public static QuotaSignal parse(Map<String, List<String>> headers, Instant now) {
    Objects.requireNonNull(headers, "headers");
    return parse(name -> valuesOf(headers, name), Objects.requireNonNull(now, "now"));
  }

  /** A part of a signal as one family of fields gives it. */
  record Part(long limit, long remaining, @Nullable Instant reset, @Nullable Duration window) {}

  private static QuotaSignal parse(Function<String, List<String>> fields, Instant now) {
    Horizon horizon = new Horizon(now);
    Instant retryAfter = null;
    for (String value : fields.apply("retry-after")) {
      retryAfter = later(retryAfter, retryAfter(value, horizon));
    }
    Part draft = simple(fields, "ratelimit-", horizon);
    Part x = simple(fields, "x-ratelimit-", horizon);
    Instant resetAfter = null; // Discord's delta wins over its X-RateLimit-Reset
    for (String line : fields.apply("x-ratelimit-reset-after")) {
      long millis = HeaderNumbers.millis(firstElement(line));
      resetAfter = later(resetAfter, millis < 0 ? null : horizon.after(millis));
    }
    if (resetAfter != null) {
      x = new Part(x.limit(), x.remaining(), resetAfter, x.window());
    }
    RateLimitFields.Reading ietf =
        RateLimitFields.read(
            joined(fields.apply("ratelimit")),
            joined(fields.apply("ratelimit-policy")),
            joined(fields.apply("ratelimit-limit")),
            draft.limit() >= 0 ? draft.limit() : x.limit(),
            horizon);
    List<Part> families =
        List.of(
            ietf.part(),
            draft,
            x,
            simple(fields, "x-rate-limit-", horizon),
            VendorFields.openAi(fields, horizon),
            VendorFields.anthropic(fields, horizon),
            VendorFields.shopify(fields, horizon));
    long limit = -1;
    long remaining = -1;
    Instant reset = null;
    Duration window = null;
    for (Part family : families) {
      limit = limit >= 0 ? limit : family.limit();
      remaining = remaining >= 0 ? remaining : family.remaining();
      reset = reset != null ? reset : family.reset();
      window = window != null ? window : family.window();
    }
    Quota binding = new Quota(limit, window, remaining, reset);
    List<Quota> quotas = new ArrayList<>();
    if (!binding.isEmpty()) {
      quotas.add(binding);
    }
    quotas.addAll(ietf.others());
    return new QuotaSignal(retryAfter, limit, remaining, reset, window, quotas, ietf.partition());
  }

  /** The limit, remaining and reset fields whose names start with {@code prefix}. */
  private static Part simple(
      Function<String, List<String>> fields, String prefix, Horizon horizon) {
    long limit = -1;
    long remaining = -1;
    Instant reset = null;
    for (String line : fields.apply(prefix + "limit")) {
      limit = smallest(limit, HeaderNumbers.count(firstElement(line)));
    }
    for (String line : fields.apply(prefix + "remaining")) {
      remaining = smallest(remaining, HeaderNumbers.count(firstElement(line)));
    }
    for (String line : fields.apply(prefix + "reset")) {
      reset = later(reset, resetTime(firstElement(line), horizon));
    }
    return new Part(limit, remaining, reset, null);
  }

  private static @Nullable Instant retryAfter(String value, Horizon horizon) {
    Instant date = HttpDates.parse(value, horizon.now());
    if (date != null) {
      return horizon.clamp(date);
    }
    long millis = HeaderNumbers.millis(value);
    if (millis < 0) {
      return null;
    }
    long seconds = millis / 1000 + (millis % 1000 == 0 ? 0 : 1);
    return horizon.after(seconds > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : seconds * 1000);
  }

  private static @Nullable Instant resetTime(String value, Horizon horizon) {
    long millis = HeaderNumbers.millis(value); // the value times 1000, rounded up
    if (millis < 0) {
      return null;
    }
    String s = HeaderNumbers.trimOws(value);
    long whole = HeaderNumbers.count(s.indexOf('.') < 0 ? s : s.substring(0, s.indexOf('.')));
    if (whole >= EPOCH_MILLIS_FROM) {
      return horizon.clamp(Instant.ofEpochMilli(millis / 1000 + (millis % 1000 == 0 ? 0 : 1)));
    } else if (whole >= EPOCH_SECONDS_FROM) {
      return horizon.clamp(Instant.ofEpochMilli(millis));
    }
    return horizon.after(millis);
  }

  // RFC 9651 §4.2: the lines of a structured field are parsed as one, joined by commas.
  private static String joined(List<String> lines) {
    StringJoiner joined = new StringJoiner(", ");
    for (String line : lines) {
      String value = HeaderNumbers.trimOws(line);
      if (!value.isEmpty()) {
        joined.add(value);
      }
    }
    return joined.toString();
  }

  private static String firstElement(String line) {
    int comma = line.indexOf(',');
    String element = comma < 0 ? line : line.substring(0, comma);
    int semicolon = element.indexOf(';');
    return semicolon < 0 ? element : element.substring(0, semicolon);
  }

  static long smallest(long a, long b) {
    return a < 0 ? b : b < 0 ? a : Math.min(a, b);
  }

  static @Nullable Instant later(@Nullable Instant a, @Nullable Instant b) {
    return a == null ? b : b == null || !b.isAfter(a) ? a : b;
  }

  private static List<String> valuesOf(Map<String, List<String>> headers, String name) {
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, List<String>> field : headers.entrySet()) {
      String key = field.getKey();
      List<String> lines = field.getValue();
      if (key != null && lines != null && key.equalsIgnoreCase(name)) {
        for (String line : lines) {
          if (line != null) {
            values.add(line);
          }
        }
      }
    }
    return values;
  }
}
