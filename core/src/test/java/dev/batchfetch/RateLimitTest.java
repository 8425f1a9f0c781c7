package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rate limit, measured where it matters: when requests arrive at the server. Real time, with
 * lower bounds that a broken limiter cannot meet and upper bounds generous enough for a busy CI
 * machine.
 */
@Timeout(30)
class RateLimitTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void twoBatchesInARowShareOneQuota(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher();
    server.setDispatcher(dispatcher);
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder().policy(policy).rateLimit(RateLimit.perSecond(10)).build());

    fetcher.fetchAll(Urls.ids(server, 3)).join();
    fetcher.fetchAll(Urls.ids(server, 3)).join();

    List<Long> arrivals = dispatcher.arrivalNanos();
    assertThat(arrivals).hasSize(6);
    // A limiter per batch would let the second batch start at once; a shared one makes it wait for
    // the permit after the last one of the first batch, 100 ms later (less the lateness with which
    // that last one reached the server: half an interval is allowed for it).
    assertThat(millisBetween(arrivals.get(2), arrivals.get(3))).isGreaterThanOrEqualTo(50);
    assertThat(millisBetween(arrivals.get(0), arrivals.get(5))).isBetween(450L, 5_000L);
    NoLeaks.closeAndCheck(fetcher);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void spreadsPermitsEvenlyInsteadOfBurstingAtTheStartOfThePeriod(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher();
    server.setDispatcher(dispatcher);
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .rateLimit(RateLimit.of(10, Duration.ofMillis(500))) // one every 50 ms
                .build());

    fetcher.fetchAll(Urls.ids(server, 10)).join();

    List<Long> arrivals = dispatcher.arrivalNanos();
    // A burst would bring all ten in the first milliseconds of the period. Spread, four arrivals in
    // a row span 150 ms; at least 100 allows for one of them reaching the server 50 ms late.
    for (int i = 3; i < arrivals.size(); i++) {
      assertThat(millisBetween(arrivals.get(i - 3), arrivals.get(i)))
          .as("from request %d to request %d", i - 3, i)
          .isGreaterThanOrEqualTo(100);
    }
    assertThat(millisBetween(arrivals.get(0), arrivals.get(9))).isBetween(425L, 5_000L);
    NoLeaks.closeAndCheck(fetcher);
  }

  @Test
  void asyncWaitsForPermitsWithoutParkingAThreadPerUrl() throws Exception {
    IdDispatcher dispatcher = new IdDispatcher();
    server.setDispatcher(dispatcher);
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(ExecutionPolicy.async(64))
                .rateLimit(RateLimit.perSecond(50))
                .build());

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(Urls.ids(server, 10_000));

    assertThat(batch).isNotDone(); // 10,000 calls at 50 a second: returned long before the end
    await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.requestCount() >= 10);
    // One scheduler thread, and OkHttp threads for the few calls in flight at 50 a second: far from
    // the 64 that parking the admitted calls would take, let alone 10,000. (The JVM's own count is
    // no measure here: MockWebServer runs a thread per connection.)
    assertThat(NoLeaks.fetcherThreads(fetcher.name() + "-")).hasSizeLessThan(32);
    assertThat(fetcher.client().dispatcher().queuedCallsCount()).isZero();

    batch.cancel(true);
    int sent = dispatcher.requestCount();
    NoLeaks.closeAndCheck(fetcher);
    assertThat(dispatcher.requestCount()).isLessThanOrEqualTo(sent + 1);
    assertThat(batch.isCancelled()).isTrue();
  }

  @Test
  void poolWaitsForPermitsOnNoMoreThreadsThanItHas() {
    IdDispatcher dispatcher = new IdDispatcher();
    server.setDispatcher(dispatcher);
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(ExecutionPolicy.pool(4))
                .rateLimit(RateLimit.perSecond(50))
                .build());

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(Urls.ids(server, 1_000));

    assertThat(batch).isNotDone();
    await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.requestCount() >= 10);
    assertThat(NoLeaks.fetcherThreads(fetcher.name() + "-")).hasSizeLessThanOrEqualTo(4 + 1);
    batch.cancel(true);
    NoLeaks.closeAndCheck(fetcher);
  }

  private static long millisBetween(long startNanos, long endNanos) {
    return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
  }
}
