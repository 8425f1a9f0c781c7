package dev.batchfetch;

import java.util.Objects;

/**
 * The limits of one host: its own quota and how many calls it takes at once. A fetcher applies them
 * to every host (its {@link BatchFetcher.Builder#perHost default}) or to named hosts ({@link
 * BatchFetcher.Builder#host overrides}), under the fetcher's global rate limit and bulkhead.
 *
 * <pre>{@code
 * BatchFetcher.builder()
 *     .perHost(HostLimits.of(RateLimit.perSecond(5), 4))              // every host
 *     .host("api.github.com", HostLimits.of(RateLimit.perHour(5_000), 8)) // this one
 *     .build();
 * }</pre>
 *
 * <p>A host is a name and a port: {@code example.com:80} and {@code example.com:8080} are two
 * hosts. Immutable and thread-safe.
 *
 * @param rateLimit the host's quota
 * @param maxConcurrent the most calls in flight to the host at once, at least 1
 */
public record HostLimits(RateLimit rateLimit, int maxConcurrent) {
  private static final HostLimits UNLIMITED =
      new HostLimits(RateLimit.unlimited(), Integer.MAX_VALUE);

  /**
   * @throws NullPointerException if {@code rateLimit} is null
   * @throws IllegalArgumentException if {@code maxConcurrent} is less than 1
   */
  public HostLimits {
    Objects.requireNonNull(rateLimit, "rateLimit");
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + maxConcurrent);
    }
  }

  /**
   * A host quota and a cap on calls at once.
   *
   * @throws NullPointerException if {@code rateLimit} is null
   * @throws IllegalArgumentException if {@code maxConcurrent} is less than 1
   */
  public static HostLimits of(RateLimit rateLimit, int maxConcurrent) {
    return new HostLimits(rateLimit, maxConcurrent);
  }

  /**
   * A host quota, with no cap of its own on calls at once.
   *
   * @throws NullPointerException if {@code rateLimit} is null
   */
  public static HostLimits of(RateLimit rateLimit) {
    return new HostLimits(rateLimit, Integer.MAX_VALUE);
  }

  /**
   * A host's limits written as {@code RATE[,MAX_CONCURRENT]}, the way they are written in
   * configuration: {@code "10/s,4"} (10 calls a second, at most 4 at once), {@code "50/s+5"} (a
   * rate with a burst, no cap of its own on calls at once), {@code "unlimited,2"}. The rate is read
   * by {@link RateLimit#parse}.
   *
   * @throws NullPointerException if {@code text} is null
   * @throws IllegalArgumentException if {@code text} is not written so (the message quotes it and
   *     says what was expected), or its numbers are out of range
   */
  public static HostLimits parse(String text) {
    Objects.requireNonNull(text, "text");
    String value = text.strip();
    int comma = value.indexOf(',');
    String rate = comma < 0 ? value : value.substring(0, comma);
    String max = comma < 0 ? null : value.substring(comma + 1).strip();
    if (max != null && !max.matches("\\d{1,9}")) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a host's limits: expected RATE[,MAX_CONCURRENT], as 10/s,4");
    }
    return new HostLimits(
        RateLimit.parse(rate), max == null ? Integer.MAX_VALUE : Integer.parseInt(max));
  }

  /** No limit of the host's own: only the fetcher's global limits apply. The default. */
  public static HostLimits unlimited() {
    return UNLIMITED;
  }

  @Override
  public String toString() {
    return "HostLimits{"
        + rateLimit
        + (maxConcurrent == Integer.MAX_VALUE ? "" : ", maxConcurrent=" + maxConcurrent)
        + "}";
  }
}
