package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.internal.time.FakeClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Virtual time for a test: a {@link FakeClock} and a {@link FakeServer} on it. Fetchers built with
 * {@link #builder()} start no thread; the test moves time on and reads exactly when each request
 * went out.
 */
final class Virtual {
  final FakeClock clock = new FakeClock();
  final FakeServer server = new FakeServer(clock);

  /** A fetcher builder on this clock and server. */
  BatchFetcher.Builder builder() {
    return server.builder();
  }

  /** Moves time on by {@code millis}. */
  void advanceMillis(long millis) {
    clock.advance(Duration.ofMillis(millis));
  }

  /** Runs the clock an hour on, by which time {@code batch} must be done, and returns its value. */
  <T> T run(CompletableFuture<T> batch) {
    clock.advance(Duration.ofHours(1));
    assertThat(batch).as("the batch, an hour later").isDone();
    return batch.join();
  }
}
