package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.Dispatcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Concurrency is what the user configured, proven by holding requests on a latch in the server and
 * counting how many are there at once.
 */
@Timeout(30)
class ConcurrencyTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();

  @Test
  void asyncKeepsAllItsCallsInFlightAgainstOneHost() {
    assertHeldInFlight(ExecutionPolicy.async(64), Integer.MAX_VALUE, 200, 64);
  }

  @Test
  void poolKeepsOneCallInFlightPerThread() {
    assertHeldInFlight(Policies.pool(8), Integer.MAX_VALUE, 50, 8);
  }

  @Test
  void sequentialKeepsOneCallInFlight() {
    assertHeldInFlight(Policies.sequential(), Integer.MAX_VALUE, 5, 1);
  }

  @Test
  void maxConcurrentCapsAsync() {
    assertHeldInFlight(ExecutionPolicy.async(64), 3, 20, 3);
  }

  @Test
  void maxConcurrentCapsPool() {
    assertHeldInFlight(Policies.pool(8), 5, 20, 5);
  }

  @Test
  void onlyAdmittedCallsReachOkHttpsDispatcher() {
    CountDownLatch release = new CountDownLatch(1);
    IdDispatcher dispatcher = new IdDispatcher(release);
    server.setDispatcher(dispatcher);
    BatchFetcher fetcher = leaks.track(BatchFetcher.async(4));

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(Urls.ids(server, 100_000));
    await().until(() -> dispatcher.inFlight() == 4);

    Dispatcher okhttp = fetcher.client().dispatcher();
    assertThat(okhttp.runningCallsCount()).isEqualTo(4);
    assertThat(okhttp.queuedCallsCount()).isZero();
    assertThat(batch).isNotDone();
    release.countDown();
    batch.cancel(true);
    NoLeaks.closeAndCheck(fetcher);
  }

  private void assertHeldInFlight(
      ExecutionPolicy policy, int maxConcurrent, int urls, int expectedInFlight) {
    CountDownLatch release = new CountDownLatch(1);
    IdDispatcher dispatcher = new IdDispatcher(release);
    server.setDispatcher(dispatcher);
    // No slow start: quota discovery would start at 8 in flight, more as answers come.
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .maxConcurrent(maxConcurrent)
                .quotaDiscovery(false)
                .build());

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(Urls.ids(server, urls));
    await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.inFlight() == expectedInFlight);
    // Give an extra call every chance to arrive: wait until the fetcher has handed every admitted
    // call to OkHttp and OkHttp has started them all.
    await().until(() -> fetcher.client().dispatcher().runningCallsCount() == expectedInFlight);
    assertThat(dispatcher.requestCount()).isEqualTo(expectedInFlight);
    release.countDown();

    List<Result> results = batch.join();
    assertThat(results).hasSize(urls).allMatch(Result::isSuccess);
    assertThat(dispatcher.maxInFlight()).isEqualTo(expectedInFlight);
    assertThat(fetcher.maxConcurrent()).isEqualTo(expectedInFlight);
    NoLeaks.closeAndCheck(fetcher);
  }
}
