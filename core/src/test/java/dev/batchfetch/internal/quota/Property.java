package dev.batchfetch.internal.quota;

import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A minimal property runner: many generated cases from a seeded {@link Random}, and on a failure
 * the case's own seed and input, so that it can be replayed with {@link #replay}.
 *
 * <p>The run's seed is fixed, so a build is repeatable; {@code -Dbatchfetch.seed=N} explores
 * others.
 */
final class Property {
  static final long SEED = Long.getLong("batchfetch.seed", 0x5EED_2025_0601L);

  private Property() {}

  /** Checks {@code check} on {@code cases} inputs from {@code generator}. */
  static <T> void forAll(String name, int cases, Function<Random, T> generator, Consumer<T> check) {
    Random seeds = new Random(SEED ^ name.hashCode());
    for (int i = 0; i < cases; i++) {
      long seed = seeds.nextLong();
      replay(name + " case " + i + " of run seed " + SEED, seed, generator, check);
    }
  }

  /** Checks one case, the one {@code seed} generates. */
  static <T> void replay(String name, long seed, Function<Random, T> generator, Consumer<T> check) {
    T input = generator.apply(new Random(seed));
    try {
      check.accept(input);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          name + " failed; case seed " + seed + "L, input: " + printable(String.valueOf(input)), e);
    }
  }

  /**
   * Fails unless the two are equal: AssertJ's {@code isEqualTo} without its cost, for checks that
   * run tens of thousands of times.
   */
  static void expectEqual(String what, Object actual, Object expected) {
    if (!Objects.equals(actual, expected)) {
      throw new AssertionError(what + ": expected " + expected + " but was " + actual);
    }
  }

  /** The text with anything but printable ASCII escaped, so that a failure shows its input. */
  static String printable(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
        out.append(ch);
      } else {
        out.append(String.format("\\u%04x", (int) ch));
      }
    }
    return out.toString();
  }
}
