package dev.batchfetch.examples;

import java.time.Duration;
import java.util.Objects;

/**
 * One row of the {@link ClassicComparison} table: how long one policy took to fetch a batch, and
 * how many of its results were right.
 *
 * <p>Immutable and thread-safe.
 *
 * @param policy the policy's name, such as {@code pool(16)}
 * @param count how many URLs were fetched
 * @param elapsed from the call to {@code fetchAll} to the batch's completion
 * @param successes results that were a success and whose body was the requested id
 */
public record Measurement(String policy, int count, Duration elapsed, int successes) {

  /**
   * Checks the values.
   *
   * @throws NullPointerException if {@code policy} or {@code elapsed} is null
   * @throws IllegalArgumentException if {@code successes} is not in {@code 0..count}
   */
  public Measurement {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(elapsed, "elapsed");
    if (successes < 0 || successes > count) {
      throw new IllegalArgumentException("successes must be in 0.." + count + ", was " + successes);
    }
  }

  /** Results that failed, or succeeded with the wrong body. */
  public int failures() {
    return count - successes;
  }

  /** URLs fetched per second of {@link #elapsed()}. */
  public double requestsPerSecond() {
    double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
    return count / seconds;
  }
}
