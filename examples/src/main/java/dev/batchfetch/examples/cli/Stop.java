package dev.batchfetch.examples.cli;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A request to stop the command line early, from SIGINT or SIGTERM, and its answer: the exit status
 * once the output is written. The JVM runs its shutdown hooks on those signals while the other
 * threads go on; the hook {@link #request}s the stop, waits for {@link #finished}, and halts with
 * the status. Thread-safe.
 */
final class Stop {
  private final CompletableFuture<Void> requested = new CompletableFuture<>();
  private final CompletableFuture<Integer> finished = new CompletableFuture<>();
  private volatile Duration within = Duration.ofMinutes(1);

  /** A stop nobody can request: for runs without signals, such as tests in this JVM. */
  static Stop never() {
    return new Stop();
  }

  /** Asks the run to stop. Idempotent. */
  void request() {
    requested.complete(null);
  }

  boolean isRequested() {
    return requested.isDone();
  }

  /** Completes when the stop is requested. */
  CompletableFuture<Void> whenRequested() {
    return requested;
  }

  /** Tells the signal's hook that the run is over, with its exit status. */
  void finish(int status) {
    finished.complete(status);
  }

  /** How long the run may take to write its output once stopped; default a minute. */
  void expectWithin(Duration time) {
    within = time;
  }

  /**
   * The run's exit status, once it is over, or {@code otherwise} if that takes longer than {@link
   * #expectWithin} said.
   */
  int awaitFinished(int otherwise) {
    try {
      return finished.get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      return otherwise;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return otherwise;
    }
  }
}
