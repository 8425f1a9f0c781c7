package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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

/** A batch's deadline, progress reports, and closing from the fetcher's own threads. */
@Timeout(30)
class DeadlinesAndProgressTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void releaseHeldRequests() {
    release.countDown();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void whenTheDeadlinePassesWhatIsLeftTimesOutAndTheBatchCompletes(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher(release);
    server.setDispatcher(dispatcher);
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .batchTimeout(Duration.ofMillis(300))
                .retry(RetryPolicy.none())
                .build());

    List<Result> results = fetcher.fetchAll(Urls.ids(server, 20)).join();

    assertThat(results)
        .hasSize(20)
        .allSatisfy(r -> assertThat(r.error()).isEqualTo(ErrorKind.TIMEOUT));
    assertThat(results.get(19).exception()).hasMessageContaining("deadline of PT0.3S");
    // The calls that went out (as many as the policy runs at once, or fewer on a slow machine)
    // timed out in flight; the rest never went.
    long sent = results.stream().filter(r -> r.attempts() == 1).count();
    assertThat(sent).isBetween((long) dispatcher.requestCount(), (long) policy.width());
    assertThat(results.stream().filter(r -> r.attempts() > 1)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aStreamedBatchStopsReadingAtItsDeadline(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher(release);
    server.setDispatcher(dispatcher);
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder().policy(policy).batchTimeout(Duration.ofMillis(300)).build());
    Inputs endless = Inputs.endless(server);
    List<Result> results = new CopyOnWriteArrayList<>();

    BatchSummary summary = fetcher.fetchEach(endless, results::add).join();

    assertThat(summary.results()).isEqualTo(endless.read()).isEqualTo(results.size());
    assertThat(summary.failures(ErrorKind.TIMEOUT)).isEqualTo(summary.results());
  }

  @Test
  void progressCountsWhatHappenedAndEndsWithADoneReport() {
    server.setDispatcher(new IdDispatcher());
    List<Progress> reports = new CopyOnWriteArrayList<>();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(ExecutionPolicy.async(4))
                .rateLimit(RateLimit.perSecond(20))
                .progressInterval(Duration.ofMillis(100))
                .progressListener(reports::add)
                .build());
    List<String> urls = new java.util.ArrayList<>(Urls.ids(server, 20));
    urls.set(3, "not a url");

    fetcher.fetchAll(urls).join();

    await().until(() -> !reports.isEmpty() && reports.get(reports.size() - 1).done());
    Progress last = reports.get(reports.size() - 1);
    assertThat(last.total()).isEqualTo(20);
    assertThat(last.submitted()).isEqualTo(20);
    assertThat(last.succeeded()).isEqualTo(19);
    assertThat(last.failed()).isEqualTo(1);
    assertThat(last.inFlight()).isZero();
    assertThat(last.waiting()).isZero();
    assertThat(last.estimatedTimeLeft()).isEqualTo(Duration.ZERO);
    assertThat(reports.stream().filter(Progress::done)).hasSize(1);
    // At 20 a second, 20 calls take about a second: the early reports saw most of them waiting,
    // and estimated what was left from the quota.
    Progress early = reports.get(0);
    assertThat(early.done()).isFalse();
    assertThat(early.waiting()).isPositive();
    assertThat(early.estimatedTimeLeft())
        .isBetween(
            Duration.ofMillis((20 - early.finished()) * 50 - 1),
            Duration.ofMillis((20 - early.finished()) * 50 + 1));
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
