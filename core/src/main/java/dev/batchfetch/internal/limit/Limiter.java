package dev.batchfetch.internal.limit;

import org.jspecify.annotations.Nullable;

/**
 * Where admission takes a rate-limit permit for each call: the fetcher's own {@link GcraLimiter},
 * which answers at once, or a user's limiter ({@link UserLimiter}), which may ask a store over the
 * network and so is asked off the admission loop.
 *
 * <p>Implementations are thread-safe.
 */
public interface Limiter {
  /**
   * Reserves one permit.
   *
   * @return the permit, due after its {@link Permit#waitNanos()}; null, reserving nothing, when
   *     none comes within the limiter's timeout
   * @throws RuntimeException if a remote limiter cannot answer (its store is down, say)
   */
  @Nullable Permit reserve();

  /** Whether {@link #reserve()} may wait on I/O, and must be asked off the admission loop. */
  boolean isRemote();

  /** A server said "too many" without saying how long: spend what would be handed out at once. */
  void drain();

  /**
   * A server asked for no call before {@code untilNanos} (ticker time): hand out no permit before
   * then, and then only the steady rate. A user's limiter keeps its own schedule and ignores this.
   */
  void holdUntil(long untilNanos);

  /** Whether forgetting this limiter loses nothing: a new one would behave the same. */
  boolean isIdle();
}
