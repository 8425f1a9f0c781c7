package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rate limit, measured where it matters: when requests reach the server, in virtual time; and
 * that waiting for permits holds no thread, with real threads.
 */
@Timeout(30)
class RateLimitTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final Virtual virtual = new Virtual();

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void twoBatchesInARowShareOneQuota(ExecutionPolicy policy) {
    BatchFetcher fetcher =
        leaks.track(virtual.builder().policy(policy).rateLimit(RateLimit.perSecond(10)).build());

    virtual.run(fetcher.fetchAll(ids(3)));
    virtual.run(fetcher.fetchAll(ids(3)));

    // A limiter per batch would let the second batch start at once, 300 ms before the hour is
    // over; a shared one makes it wait for the permit after the last one of the first batch.
    List<Long> sent = virtual.server.millisOf("a.test");
    assertThat(sent.subList(0, 3)).containsExactly(0L, 100L, 200L);
    assertThat(sent.get(4) - sent.get(3)).isEqualTo(100L);
    assertThat(sent.get(5) - sent.get(4)).isEqualTo(100L);
  }

  @Test
  void twoBatchesAtOnceShareOneQuota() {
    BatchFetcher fetcher =
        leaks.track(virtual.builder().rateLimit(RateLimit.perSecond(10)).build());

    CompletableFuture<List<Result>> first = fetcher.fetchAll(ids(3));
    CompletableFuture<List<Result>> second = fetcher.fetchAll(ids(3));
    virtual.run(first);
    virtual.run(second);

    assertThat(virtual.server.millisOf("a.test")).containsExactly(0L, 100L, 200L, 300L, 400L, 500L);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void spreadsPermitsEvenlyInsteadOfBurstingAtTheStartOfThePeriod(ExecutionPolicy policy) {
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .rateLimit(RateLimit.of(10, Duration.ofMillis(500))) // one every 50 ms
                .build());

    virtual.run(fetcher.fetchAll(ids(10)));

    // A burst would bring all ten at the start of the period.
    assertThat(virtual.server.millisOf("a.test"))
        .containsExactly(0L, 50L, 100L, 150L, 200L, 250L, 300L, 350L, 400L, 450L);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aBurstGoesAtOnceThenTheRateKeepingHalfAnIntervalForJitter(ExecutionPolicy policy) {
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .rateLimit(RateLimit.perSecond(10).withBurst(2))
                .build());

    virtual.run(fetcher.fetchAll(ids(5)));

    // A server with burst 2 accepts three at once; the fetcher sends two, then one every 100 ms,
    // half an interval ahead of the steady schedule.
    assertThat(virtual.server.millisOf("a.test")).containsExactly(0L, 0L, 50L, 150L, 250L);
  }

  private static List<String> ids(int count) {
    return java.util.stream.IntStream.range(0, count)
        .mapToObj(i -> "http://a.test/id/" + i)
        .toList();
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
}
