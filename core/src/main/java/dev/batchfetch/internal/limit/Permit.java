package dev.batchfetch.internal.limit;

/**
 * One reserved permit of a {@link Limiter}: due {@link #waitNanos()} after it was reserved. The
 * fetcher's own limiter also learns from it when the call really started and left, to keep its
 * schedule where the server's is (see {@link GcraLimiter}); for any other limiter those are no-ops.
 *
 * <p>Touched by the admission loop, and {@link #leftLate} by the thread that sends the call.
 */
public interface Permit {
  /** A permit due at once, with nothing to learn: an unlimited limiter's. */
  Permit NOW = after(0);

  /** How long after its reservation the permit may be used. */
  long waitNanos();

  /**
   * How much later the permit is due than it was when reserved (or last {@link #rebase}d), because
   * its limiter shifted its schedule for a request that left late meanwhile.
   */
  default long shiftSinceReserved() {
    return 0;
  }

  /** Takes the limiter's present shift as this permit's reference. */
  default void rebase() {}

  /**
   * Counts the permit as used at {@code startNanos}, later than it was due: the call also waited
   * for another limiter, and the calls after it keep one interval behind it.
   */
  default void usedAt(long startNanos) {}

  /** Hears that the call's request left {@code latenessNanos} after the planned moment. */
  default void leftLate(long latenessNanos) {}

  /** A permit due after {@code waitNanos}, with nothing to learn: a user's limiter's. */
  static Permit after(long waitNanos) {
    return () -> waitNanos;
  }
}
