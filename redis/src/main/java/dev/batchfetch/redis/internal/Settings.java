package dev.batchfetch.redis.internal;

import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The checks the builders of this module share: each setting given at most once, durations
 * positive. Not thread-safe, as the builders.
 */
public final class Settings {
  private final Set<String> given = new HashSet<>();

  /**
   * Marks {@code setting} given.
   *
   * @throws IllegalStateException if it was given before; for {@code "redis"}, if a Redis was
   */
  public void once(String setting) {
    if (!given.add(setting)) {
      throw new IllegalStateException(
          setting.equals("redis")
              ? "a Redis connection was already given"
              : setting + " was already set");
    }
  }

  /**
   * Checks that {@code duration} is positive.
   *
   * @throws NullPointerException if it is null, naming {@code name}
   * @throws IllegalArgumentException if it is zero or negative
   */
  public static void positive(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + duration);
    }
  }
}
