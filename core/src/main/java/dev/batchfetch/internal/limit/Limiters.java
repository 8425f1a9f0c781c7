package dev.batchfetch.internal.limit;

import dev.batchfetch.RateLimit;
import dev.batchfetch.internal.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Builds the fetcher's own limiters. Stateless. */
public final class Limiters {
  /** How far ahead the fetcher's own limiters reserve: in practice, never too far. */
  private static final Duration TIMEOUT = Duration.ofDays(1);

  private Limiters() {}

  /**
   * One limiter that every permit of all of {@code limiters} must pass: the one itself when there
   * is one, else {@link AllOf}.
   *
   * @throws IllegalArgumentException if {@code limiters} is empty
   */
  public static Limiter allOf(List<? extends Limiter> limiters) {
    if (limiters.isEmpty()) {
      throw new IllegalArgumentException("limiters must not be empty");
    }
    return limiters.size() == 1 ? limiters.get(0) : new AllOf(limiters);
  }

  /**
   * The fetcher's own limiters for {@code limits}: one {@link GcraLimiter} each, the unlimited ones
   * left out; a single unlimited one if nothing is left.
   */
  public static List<GcraLimiter> own(String name, List<RateLimit> limits, Ticker ticker) {
    List<GcraLimiter> own = new ArrayList<>();
    for (RateLimit limit : limits) {
      if (!limit.isUnlimited()) {
        own.add(new GcraLimiter(name, limit, TIMEOUT, ticker));
      }
    }
    if (own.isEmpty()) {
      own.add(new GcraLimiter(name, RateLimit.unlimited(), TIMEOUT, ticker));
    }
    return own;
  }
}
