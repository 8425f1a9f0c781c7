package dev.batchfetch;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's quota: at most {@code permits} calls per {@code period}, for example {@code
 * RateLimit.perMinute(300)}.
 *
 * <p>Permits are spread evenly over the period: {@code perMinute(300)} lets one call start every
 * 200 ms rather than 300 calls at the top of each minute, because servers enforce quotas as token
 * or leaky buckets and answer a burst at the start of a window with {@code 429 Too Many Requests}.
 * For a server that tolerates bursts, {@link #withBurst(long)} says how many calls it accepts
 * beyond the steady rate at once:
 *
 * <pre>{@code
 * // nginx: limit_req_zone ... rate=50r/s; limit_req ... burst=10;
 * RateLimit.perSecond(50).withBurst(10);
 * }</pre>
 *
 * <p>The fetcher enforces the quota as the same kind of bucket, a generic cell rate algorithm: a
 * call may start when it is no more than {@code burst} intervals ahead of the steady schedule. Of a
 * burst it keeps half an interval unused, so that the jitter of the network between two calls does
 * not push the server's bucket over the edge; a server with no burst at all refuses a call that
 * arrives even a millisecond early, so for such a server set the rate a little below its quota.
 *
 * <p>A rate limit belongs to the {@link BatchFetcher} it is given to, not to one batch: two batches
 * in a row share the same quota.
 *
 * <p>Instances are immutable values and thread-safe.
 *
 * @param permits how many calls may start per period, at least 1
 * @param period the length of the period, positive
 * @param burst how many calls the server accepts at once beyond the steady rate, 0 or more
 */
public record RateLimit(long permits, Duration period, long burst) {

  private static final Duration LONGEST_PERIOD = Duration.ofDays(365L * 100);
  private static final RateLimit UNLIMITED =
      new RateLimit(Long.MAX_VALUE, Duration.ofSeconds(1), 0);

  /**
   * @throws NullPointerException if {@code period} is null
   * @throws IllegalArgumentException if {@code permits} is less than 1 or {@code period} is not
   *     positive or longer than 100 years, the interval between two permits would be shorter than
   *     one nanosecond, or {@code burst} is negative or spans more than 100 years of permits
   */
  public RateLimit {
    Objects.requireNonNull(period, "period");
    if (burst < 0) {
      throw new IllegalArgumentException("burst must not be negative, was " + burst);
    }
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1, was " + permits);
    }
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive, was " + period);
    }
    if (period.compareTo(LONGEST_PERIOD) > 0) {
      throw new IllegalArgumentException(
          "period must be at most " + LONGEST_PERIOD + ", was " + period);
    }
    if (permits != Long.MAX_VALUE && period.toNanos() / permits < 1) {
      throw new IllegalArgumentException(
          "permits per period must leave at least 1 ns between permits, was "
              + permits
              + " per "
              + period);
    }
    if (permits != Long.MAX_VALUE
        && burst > LONGEST_PERIOD.toNanos() / (period.toNanos() / permits)) {
      throw new IllegalArgumentException(
          "burst must span at most 100 years of permits, was " + burst);
    }
  }

  /**
   * {@code permits} calls per {@code period}.
   *
   * @throws NullPointerException if {@code period} is null
   * @throws IllegalArgumentException as {@link #RateLimit(long, Duration, long)}
   */
  public static RateLimit of(long permits, Duration period) {
    return new RateLimit(permits, period, 0);
  }

  /**
   * {@code permits} calls per second.
   *
   * @throws IllegalArgumentException if {@code permits} is less than 1
   */
  public static RateLimit perSecond(long permits) {
    return new RateLimit(permits, Duration.ofSeconds(1), 0);
  }

  /**
   * {@code permits} calls per minute.
   *
   * @throws IllegalArgumentException if {@code permits} is less than 1
   */
  public static RateLimit perMinute(long permits) {
    return new RateLimit(permits, Duration.ofMinutes(1), 0);
  }

  /**
   * {@code permits} calls per hour.
   *
   * @throws IllegalArgumentException if {@code permits} is less than 1
   */
  public static RateLimit perHour(long permits) {
    return new RateLimit(permits, Duration.ofHours(1), 0);
  }

  /**
   * The rate written as {@code N/UNIT}, with an optional burst {@code +B}, the way quotas are
   * written in configuration: {@code "300/min"}, {@code "50/s+10"}, {@code "5000/h"}, {@code
   * "10000/day"}; or {@code "unlimited"}. The units are {@code s} ({@code sec}, {@code second}),
   * {@code min} ({@code minute}), {@code h} ({@code hour}) and {@code d} ({@code day}); case and
   * surrounding blanks do not matter.
   *
   * <pre>{@code
   * RateLimit.parse(config.getProperty("quota", "300/min"));
   * }</pre>
   *
   * @throws NullPointerException if {@code text} is null
   * @throws IllegalArgumentException if {@code text} is not written so (the message quotes it and
   *     says what was expected), or its numbers are out of the range of {@link #RateLimit(long,
   *     Duration, long)}
   */
  public static RateLimit parse(String text) {
    Objects.requireNonNull(text, "text");
    String value = text.strip().toLowerCase(Locale.ROOT);
    if (value.equals("unlimited")) {
      return UNLIMITED;
    }
    Matcher m = Text.PATTERN.matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a rate: expected N/s, N/min, N/h or N/d, with +BURST if any, or"
              + " unlimited");
    }
    Duration period =
        switch (m.group(2)) {
          case "s", "sec", "second" -> Duration.ofSeconds(1);
          case "min", "minute" -> Duration.ofMinutes(1);
          case "h", "hour" -> Duration.ofHours(1);
          default -> Duration.ofDays(1);
        };
    String burst = m.group(3);
    return new RateLimit(
        Long.parseLong(m.group(1)), period, burst == null ? 0 : Long.parseLong(burst));
  }

  /** The grammar of {@link #parse}, compiled on first use: most fetchers never parse a rate. */
  private static final class Text {
    static final Pattern PATTERN =
        Pattern.compile("(\\d{1,18})/(s|sec|second|min|minute|h|hour|d|day)(?:\\+(\\d{1,18}))?");
  }

  /** No limit on the rate; the fetcher's default. */
  public static RateLimit unlimited() {
    return UNLIMITED;
  }

  /**
   * This rate, for a server that accepts {@code burst} calls at once beyond it: nginx's {@code
   * limit_req ... burst=N}, the bucket size minus one of a token bucket, or the burst of Go's
   * {@code rate.Limiter} minus one.
   *
   * @throws IllegalArgumentException if {@code burst} is negative, or so large that it spans more
   *     than 100 years of permits
   * @throws IllegalStateException if this is {@link #unlimited()}
   */
  public RateLimit withBurst(long burst) {
    if (isUnlimited()) {
      throw new IllegalStateException("an unlimited rate has no burst");
    }
    return new RateLimit(permits, period, burst);
  }

  /** Whether this is {@link #unlimited()}. */
  public boolean isUnlimited() {
    return permits == Long.MAX_VALUE;
  }

  /**
   * The time between two permits when they are spread evenly: {@code period / permits}, rounded up
   * to the nanosecond so that the rate never exceeds the quota; {@link Duration#ZERO} when
   * unlimited.
   */
  public Duration interval() {
    if (isUnlimited()) {
      return Duration.ZERO;
    }
    long nanos = period.toNanos();
    return Duration.ofNanos(nanos / permits + (nanos % permits == 0 ? 0 : 1));
  }

  @Override
  public String toString() {
    return isUnlimited()
        ? "unlimited"
        : permits + " per " + period + (burst == 0 ? "" : ", burst " + burst);
  }
}
