package dev.batchfetch;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The limits of one host: its own quota, in one or several rate limits, and how many calls it takes
 * at once. A fetcher applies them to every host (its {@link BatchFetcher.Builder#perHost default})
 * or to named hosts ({@link BatchFetcher.Builder#host overrides}), under the fetcher's global rate
 * limits and bulkhead.
 *
 * <pre>{@code
 * BatchFetcher.builder()
 *     .perHost(HostLimits.of(RateLimit.perSecond(5), 4))              // every host
 *     .host("api.github.com", HostLimits.of(RateLimit.perHour(5_000), 8)) // this one
 *     .host("api.example.com",                                        // 10 a second, and
 *         HostLimits.of(RateLimit.perSecond(10)).and(RateLimit.perHour(5_000).withBurst(4_999)))
 *     .build();
 * }</pre>
 *
 * <p>Several rate limits are each kept on their own, as servers that announce several windows count
 * them: a call waits until every one of them allows it. With quota discovery on (the default), a
 * host's rate limits are a ceiling: the fetcher never exceeds them, and goes below them when the
 * server says so.
 *
 * <p>A host is a name and a port: {@code example.com:80} and {@code example.com:8080} are two
 * hosts. Immutable and thread-safe.
 *
 * @param rateLimits the host's quota: one rate limit or several, each kept; never empty
 * @param maxConcurrent the most calls in flight to the host at once, at least 1
 */
public record HostLimits(List<RateLimit> rateLimits, int maxConcurrent) {
  private static final HostLimits UNLIMITED =
      new HostLimits(RateLimit.unlimited(), Integer.MAX_VALUE);

  /**
   * Checks and copies the arguments.
   *
   * @throws NullPointerException if {@code rateLimits} is or holds null
   * @throws IllegalArgumentException if {@code rateLimits} is empty or {@code maxConcurrent} is
   *     less than 1
   */
  public HostLimits {
    rateLimits = List.copyOf(Objects.requireNonNull(rateLimits, "rateLimits"));
    if (rateLimits.isEmpty()) {
      throw new IllegalArgumentException("rateLimits must not be empty");
    }
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + maxConcurrent);
    }
  }

  /**
   * One rate limit and a cap on calls at once.
   *
   * @throws NullPointerException if {@code rateLimit} is null
   * @throws IllegalArgumentException if {@code maxConcurrent} is less than 1
   */
  public HostLimits(RateLimit rateLimit, int maxConcurrent) {
    this(List.of(Objects.requireNonNull(rateLimit, "rateLimit")), maxConcurrent);
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

  /**
   * These limits with one more rate limit, kept on its own: a call waits for every one. {@code
   * HostLimits.of(RateLimit.perSecond(10)).and(RateLimit.perHour(5_000).withBurst(4_999))} sends at
   * most 10 calls a second and 5,000 in any hour.
   *
   * @throws NullPointerException if {@code another} is null
   */
  public HostLimits and(RateLimit another) {
    Objects.requireNonNull(another, "another");
    List<RateLimit> more = new ArrayList<>(rateLimits);
    more.add(another);
    return new HostLimits(more, maxConcurrent);
  }

  /**
   * The host's rate limit when it has one; the first of {@link #rateLimits()} when it has several.
   */
  public RateLimit rateLimit() {
    return rateLimits.get(0);
  }

  @Override
  public String toString() {
    return "HostLimits{"
        + (rateLimits.size() == 1 ? rateLimits.get(0) : rateLimits)
        + (maxConcurrent == Integer.MAX_VALUE ? "" : ", maxConcurrent=" + maxConcurrent)
        + "}";
  }
}
