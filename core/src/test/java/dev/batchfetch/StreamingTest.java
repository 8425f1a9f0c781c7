package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The streaming entry point: lazy input, results as they complete, backpressure, endings. */
@Timeout(30)
class StreamingTest {
  /** How many inputs a streamed batch has out at once: read and not delivered (fetchEach). */
  private static final int MAX_OUT = 10_000;

  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void releaseHeldRequests() {
    release.countDown();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void deliversEveryResultOnceOneAtATimeThenASummary(ExecutionPolicy policy) {
    server.setDispatcher(new IdDispatcher());
    List<String> urls = new ArrayList<>(Urls.ids(server, 200));
    urls.set(7, "not a url");
    urls.set(9, server.url("/missing").toString());
    urls.set(11, null);
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    BitSet seen = new BitSet();
    AtomicInteger inside = new AtomicInteger();
    List<Integer> overlaps = new ArrayList<>();

    BatchSummary summary =
        fetcher
            .fetchEach(
                urls,
                result -> {
                  if (inside.incrementAndGet() != 1) {
                    overlaps.add(result.index());
                  }
                  assertThat(seen.get(result.index())).as("%s twice", result).isFalse();
                  seen.set(result.index());
                  inside.decrementAndGet();
                })
            .join();

    assertThat(overlaps).as("results delivered at once").isEmpty();
    assertThat(seen.cardinality()).isEqualTo(200);
    assertThat(summary.results()).isEqualTo(200);
    assertThat(summary.succeeded()).isEqualTo(197);
    assertThat(summary.failures(ErrorKind.INVALID_URL)).isEqualTo(2);
    assertThat(summary.failures(ErrorKind.HTTP_STATUS)).isEqualTo(1);
    assertThat(summary.bytes()).isPositive();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void readsItsInputLazilyAndStopsReadingWhenCancelled(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher(release);
    server.setDispatcher(dispatcher);
    // Every call in flight at once, at the policy's width: no slow start of quota discovery.
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).quotaDiscovery(false).build());
    Inputs endless = Inputs.endless(server);

    CompletableFuture<BatchSummary> batch = fetcher.fetchEach(endless, result -> {});
    await().until(() -> dispatcher.inFlight() == policy.width());

    // A little ahead of the calls, never the whole input: it has no end.
    assertThat(endless.read()).isBetween(policy.width(), 10_001);
    assertThat(batch.cancel(true)).isTrue();
    OkHttpClient client = fetcher.client();
    await().until(() -> client.dispatcher().runningCallsCount() == 0);
    int readAtCancel = endless.read();
    release.countDown();
    NoLeaks.closeAndCheck(fetcher);
    assertThat(endless.read()).isEqualTo(readAtCancel);
    assertThatThrownBy(batch::join).isInstanceOf(CancellationException.class);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#concurrent")
  void aSlowConsumerSlowsTheFetchingDown(ExecutionPolicy policy) throws Exception {
    IdDispatcher dispatcher = new IdDispatcher();
    server.setDispatcher(dispatcher);
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    CountDownLatch consumerStuck = new CountDownLatch(1);
    CountDownLatch unblock = new CountDownLatch(1);
    AtomicInteger delivered = new AtomicInteger();

    CompletableFuture<BatchSummary> batch =
        fetcher.fetchEach(
            Inputs.ids(server, 2_000),
            result -> {
              if (delivered.incrementAndGet() == 1) {
                consumerStuck.countDown();
                await().atMost(20, TimeUnit.SECONDS).until(() -> unblock.getCount() == 0);
              }
            });
    assertThat(consumerStuck.await(10, TimeUnit.SECONDS)).isTrue();
    OkHttpClient client = fetcher.client();
    await()
        .until(
            () -> dispatcher.requestCount() >= 64 && client.dispatcher().runningCallsCount() == 0);

    // 64 results wait for the consumer (at this width), plus the calls that were in flight when
    // the 64th came, plus the one being delivered: then nothing more starts.
    assertThat(dispatcher.requestCount()).isLessThanOrEqualTo(64 + policy.width() + 1);
    unblock.countDown();
    assertThat(batch.join().results()).isEqualTo(2_000);
    assertThat(delivered).hasValue(2_000);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void anInputThatFailsEndsTheBatchAfterTheInputsReadBefore(ExecutionPolicy policy) {
    server.setDispatcher(new IdDispatcher());
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    Iterator<String> ids = Urls.ids(server, 5).iterator();
    IllegalStateException broken = new IllegalStateException("disk gone");
    Iterable<String> failing =
        () ->
            new Iterator<>() {
              @Override
              public boolean hasNext() {
                return true;
              }

              @Override
              public String next() {
                if (!ids.hasNext()) {
                  throw broken;
                }
                return ids.next();
              }
            };
    List<Result> results = new ArrayList<>();

    CompletableFuture<BatchSummary> batch = fetcher.fetchEach(failing, results::add);

    assertThatThrownBy(batch::join).isInstanceOf(CompletionException.class).hasCause(broken);
    assertThat(results).hasSize(5).allMatch(Result::isSuccess);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aConsumerThatThrowsStopsTheBatch(ExecutionPolicy policy) {
    server.setDispatcher(new IdDispatcher());
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    RuntimeException oops = new IllegalArgumentException("cannot store");
    AtomicInteger delivered = new AtomicInteger();

    CompletableFuture<BatchSummary> batch =
        fetcher.fetchEach(
            Inputs.endless(server),
            result -> {
              delivered.incrementAndGet();
              throw oops;
            });

    assertThatThrownBy(batch::join).isInstanceOf(CompletionException.class).hasCause(oops);
    NoLeaks.closeAndCheck(fetcher);
    assertThat(delivered).hasValue(1);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void closeDeliversAResultForEveryInputReadAndCompletesTheSummary(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher(release);
    server.setDispatcher(dispatcher);
    // Every call in flight at once, at the policy's width: no slow start of quota discovery.
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).quotaDiscovery(false).build());
    Inputs endless = Inputs.endless(server);
    BitSet seen = new BitSet();

    CompletableFuture<BatchSummary> batch = fetcher.fetchEach(endless, r -> seen.set(r.index()));
    // The calls held, and the input read as far as it goes (fetchEach's 10,000 out at once): no
    // input is being read when the fetcher closes, which one the source returned after the stop
    // would be, and, as fetchEach says, not part of the batch.
    await().until(() -> dispatcher.inFlight() == policy.width() && endless.read() == MAX_OUT);
    NoLeaks.closeAndCheck(fetcher);

    BatchSummary summary = batch.join();
    assertThat(summary.results()).isEqualTo(endless.read());
    assertThat(seen.cardinality()).isEqualTo(endless.read());
    assertThat(summary.failures(ErrorKind.CANCELLED)).isEqualTo(policy.width());
    assertThat(summary.failures(ErrorKind.REJECTED)).isEqualTo(endless.read() - policy.width());
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void takesAStreamOfUrlsOrOfRequests(ExecutionPolicy policy) {
    server.setDispatcher(new IdDispatcher());
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    List<Result> results = new ArrayList<>();

    BatchSummary urls = fetcher.fetchEach(Urls.ids(server, 3).stream(), results::add).join();
    BatchSummary requests =
        fetcher
            .fetchEachRequest(Urls.ids(server, 2).stream().map(FetchRequest::get), results::add)
            .join();

    assertThat(urls.succeeded()).isEqualTo(3);
    assertThat(requests.succeeded()).isEqualTo(2);
    assertThat(results).hasSize(5).allMatch(Result::isSuccess);
  }

  @Test
  void anEmptyInputCompletesWithAnEmptySummary() {
    BatchFetcher fetcher = leaks.track(BatchFetcher.async(4));

    BatchSummary summary = fetcher.fetchEach(List.of(), r -> {}).join();

    assertThat(summary.results()).isZero();
    assertThat(summary.failures()).isEmpty();
  }

  @Test
  void rejectsNullsAtOnce() {
    BatchFetcher fetcher = leaks.track(BatchFetcher.async(4));

    assertThatThrownBy(() -> fetcher.fetchEach((Iterable<String>) null, r -> {}))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("urls");
    assertThatThrownBy(() -> fetcher.fetchEach(Stream.of("http://127.0.0.1/"), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("onResult");
    assertThatThrownBy(() -> fetcher.publisher(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("urls");
  }
}
