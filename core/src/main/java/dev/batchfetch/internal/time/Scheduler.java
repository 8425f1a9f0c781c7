package dev.batchfetch.internal.time;

/**
 * Runs a fetcher's timers and the tasks it hands to its scheduling thread, on the same clock as its
 * {@link Ticker}. In production a single daemon thread ({@link ThreadScheduler}); in tests a manual
 * scheduler that runs what is due when the test advances time.
 *
 * <p>Once shut down, a scheduler drops what it is given: the fetcher is closing, and every input
 * still waiting is ended by its batch's stop, not by a timer.
 *
 * <p>Implementations are thread-safe.
 */
public interface Scheduler {
  /** A timer that may be cancelled; cancelling one that ran, or was dropped, does nothing. */
  interface Cancellable {
    /** A timer that is never run, for tasks dropped or not scheduled at all. */
    Cancellable NONE = () -> {};

    void cancel();
  }

  /**
   * Runs {@code task} once {@code delayNanos} have passed on the ticker; zero or less runs it as
   * soon as possible, but never on the calling thread.
   *
   * @return a handle that cancels the task; {@link Cancellable#NONE} if the scheduler is shut down
   */
  Cancellable schedule(long delayNanos, Runnable task);

  /**
   * Runs {@code task} every {@code periodNanos}, the first time after one period.
   *
   * @return a handle that stops the repetition; {@link Cancellable#NONE} if shut down
   */
  Cancellable scheduleAtFixedRate(long periodNanos, Runnable task);

  /**
   * Runs {@code task} as soon as possible, never on the calling thread.
   *
   * @return false, dropping it, if the scheduler is shut down
   */
  boolean runSoon(Runnable task);
}
