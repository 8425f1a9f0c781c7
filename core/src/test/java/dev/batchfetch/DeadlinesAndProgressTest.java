package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A batch's deadline and progress reports, in virtual time, and closing from the fetcher's own
 * threads, in real time.
 */
@Timeout(30)
class DeadlinesAndProgressTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final CountDownLatch release = new CountDownLatch(1);
  private final Virtual virtual = new Virtual();

  @AfterEach
  void releaseHeldRequests() {
    release.countDown();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void whenTheDeadlinePassesWhatIsLeftTimesOutAndTheBatchCompletes(ExecutionPolicy policy) {
    virtual.server.hold();
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .batchTimeout(Duration.ofMillis(300))
                .retry(RetryPolicy.none())
                .build());

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(ids(20));
    virtual.advanceMillis(299);
    assertThat(batch).isNotDone();
    virtual.advanceMillis(1);

    assertThat(batch).isDone();
    List<Result> results = batch.join();
    assertThat(results)
        .hasSize(20)
        .allSatisfy(r -> assertThat(r.error()).isEqualTo(ErrorKind.TIMEOUT));
    assertThat(results.get(19).exception()).hasMessageContaining("deadline of PT0.3S");
    // The calls that went out, as many as the policy runs at once (no more than quota discovery's
    // slow start lets out before the first answer: 8), timed out in flight; the rest never went.
    int started = Math.min(policy.width(), 8);
    assertThat(results.stream().filter(r -> r.attempts() == 1)).hasSize(started);
    assertThat(virtual.server.sent()).hasSize(started);
    assertThat(results.stream().filter(r -> r.attempts() > 1)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aStreamedBatchStopsReadingAtItsDeadline(ExecutionPolicy policy) {
    virtual.server.hold();
    BatchFetcher fetcher =
        leaks.track(virtual.builder().policy(policy).batchTimeout(Duration.ofMillis(300)).build());
    Inputs endless = Inputs.endless();
    List<Result> results = new ArrayList<>();

    BatchSummary summary = virtual.run(fetcher.fetchEach(endless, results::add));

    assertThat(summary.results()).isEqualTo(endless.read()).isEqualTo(results.size());
    assertThat(summary.failures(ErrorKind.TIMEOUT)).isEqualTo(summary.results());
  }

  @Test
  void progressCountsWhatHappenedAndEndsWithADoneReport() {
    virtual.server.latency(Duration.ofMillis(10));
    List<Progress> reports = new ArrayList<>();
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(ExecutionPolicy.async(4))
                .rateLimit(RateLimit.perSecond(20))
                .progressInterval(Duration.ofMillis(100))
                .progressListener(reports::add)
                .build());
    List<String> urls = new ArrayList<>(ids(20));
    urls.set(3, "not a url");

    virtual.run(fetcher.fetchAll(urls));

    // 19 calls 50 ms apart, the last answered at 910 ms: nine reports, then the last one.
    assertThat(reports).hasSize(10);
    Progress last = reports.get(9);
    assertThat(last.done()).isTrue();
    assertThat(last.elapsed()).isEqualTo(Duration.ofMillis(910));
    assertThat(last.total()).isEqualTo(20);
    assertThat(last.submitted()).isEqualTo(20);
    assertThat(last.succeeded()).isEqualTo(19);
    assertThat(last.failed()).isEqualTo(1);
    assertThat(last.inFlight()).isZero();
    assertThat(last.waiting()).isZero();
    assertThat(last.estimatedTimeLeft()).isEqualTo(Duration.ZERO);
    // The first report, at 100 ms, before that moment's call: the invalid input and two calls done,
    // the rest waiting; the time left is estimated from the quota: 17 more at 20 a second.
    Progress first = reports.get(0);
    assertThat(first.done()).isFalse();
    assertThat(first.elapsed()).isEqualTo(Duration.ofMillis(100));
    assertThat(first.finished()).isEqualTo(3);
    assertThat(first.inFlight()).isZero();
    assertThat(first.waiting()).isEqualTo(17);
    assertThat(first.estimatedTimeLeft()).isEqualTo(Duration.ofMillis(850));
  }

  private static List<String> ids(int count) {
    return java.util.stream.IntStream.range(0, count)
        .mapToObj(i -> "http://a.test/id/" + i)
        .toList();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void closingFromACallbackOnTheFetchersThreadDoesNotWaitForItself(ExecutionPolicy policy)
      throws Exception {
    server.setDispatcher(new IdDispatcher());
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());

    CompletableFuture<Void> closed = fetcher.fetchAll(Urls.ids(server, 3)).thenRun(fetcher::close);

    // Waiting for its own thread to end, close would take its whole ten seconds.
    closed.get(5, TimeUnit.SECONDS);
  }
}
