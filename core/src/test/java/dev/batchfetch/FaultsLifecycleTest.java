package dev.batchfetch;

import static dev.batchfetch.FaultChecks.BOUND;
import static dev.batchfetch.FaultChecks.completes;
import static dev.batchfetch.FaultChecks.ends;
import static dev.batchfetch.FaultChecks.oneResultPerIndex;
import static dev.batchfetch.FaultChecks.oneResultPerInput;
import static dev.batchfetch.FaultChecks.staysUsable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, lifecycle races: close while calls stall, close from the fetcher's own callbacks,
 * cancel while the source is blocked, every entry point after close, close racing submissions.
 */
@Timeout(60)
class FaultsLifecycleTest {
  @RegisterExtension final Uncaught uncaught = new Uncaught();
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  private final FaultServer server = FaultServer.start();
  private final CountDownLatch unblock = new CountDownLatch(1);

  @AfterEach
  void stopServer() {
    unblock.countDown();
    server.close();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void closeWhileBodiesStallCompletesTheBatchAtOnce(ExecutionPolicy policy) {
    server.on(
        "/stall",
        (request, wire) -> {
          wire.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123");
          return wire.stall();
        });
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    List<String> urls = server.urls("/stall", 30);
    CompletableFuture<List<Result>> batch = fetcher.fetchAll(urls);
    await().atMost(BOUND).until(() -> server.requests() >= Math.min(policy.width(), 30));

    NoLeaks.closeAndCheck(fetcher);

    assertThat(batch).isDone();
    List<Result> results = completes(batch);
    oneResultPerInput(results, urls);
    assertThat(results)
        .extracting(Result::error)
        .containsOnly(ErrorKind.CANCELLED, ErrorKind.REJECTED);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void closeFromTheConsumerCompletesTheSummary(ExecutionPolicy policy) {
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    Queue<Result> results = new ConcurrentLinkedQueue<>();

    CompletableFuture<BatchSummary> batch =
        fetcher.fetchEach(
            server.urls("/ok", 500),
            result -> {
              results.add(result);
              if (results.size() == 10) {
                fetcher.close();
              }
            });

    BatchSummary summary = completes(batch);
    assertThat(summary.results()).isEqualTo(results.size());
    oneResultPerIndex(results, results.size());
    assertThatThrownBy(() -> fetcher.fetchAll(List.of(server.url("/ok"))))
        .isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void closeFromTheProgressListenerCompletesTheBatch(ExecutionPolicy policy) {
    AtomicReference<BatchFetcher> self = new AtomicReference<>();
    AtomicInteger reports = new AtomicInteger();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .progressInterval(java.time.Duration.ofMillis(1))
                .progressListener(
                    progress -> {
                      if (reports.incrementAndGet() == 3) {
                        self.get().close();
                      }
                    })
                .build());
    self.set(fetcher);
    server.on(
        "/slow",
        (request, wire) -> wire.pause(50) ? wire.respond(200, "OK", new byte[1]) : wire.stall());
    List<String> urls = server.urls("/slow", 200);

    List<Result> results = completes(fetcher.fetchAll(urls));

    oneResultPerInput(results, urls);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void cancelWhileTheSourceIsBlockedEndsTheBatchAndNotTheFetcher(ExecutionPolicy policy)
      throws Exception {
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    CountDownLatch blocked = new CountDownLatch(1);
    List<String> urls = server.urls("/ok", 5);
    Iterable<String> input =
        () ->
            new Iterator<>() {
              private int next;

              @Override
              public boolean hasNext() {
                return true;
              }

              @Override
              public String next() {
                if (next == urls.size()) {
                  blocked.countDown();
                  try {
                    unblock.await(20, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  throw new java.util.NoSuchElementException("closed");
                }
                return urls.get(next++);
              }
            };
    CompletableFuture<BatchSummary> batch = fetcher.fetchEach(input, result -> {});
    assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(batch.cancel(true)).isTrue();

    assertThat(ends(batch)).isInstanceOf(CancellationException.class);
    staysUsable(fetcher, server);
  }

  @Test
  void everyEntryPointRefusesAfterClose() {
    BatchFetcher fetcher = leaks.track(BatchFetcher.async(4));
    fetcher.close();
    List<String> urls = List.of(server.url("/ok/0"));
    List<FetchRequest> requests = List.of(FetchRequest.get(server.url("/ok/0")));

    assertThatThrownBy(() -> fetcher.fetchAll(urls)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> fetcher.fetchAllRequests(requests))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> fetcher.fetchEach(urls, r -> {}))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> fetcher.fetchEach(urls.stream(), r -> {}))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> fetcher.fetchEachRequest(requests, r -> {}))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> fetcher.fetchEachRequest(requests.stream(), r -> {}))
        .isInstanceOf(IllegalStateException.class);
    CompletableFuture<Throwable> error = new CompletableFuture<>();
    try {
      fetcher
          .publisher(urls)
          .subscribe(
              new Flow.Subscriber<Result>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                  subscription.request(1);
                }

                @Override
                public void onNext(Result item) {
                  error.completeExceptionally(new AssertionError("a result after close: " + item));
                }

                @Override
                public void onError(Throwable throwable) {
                  error.complete(throwable);
                }

                @Override
                public void onComplete() {
                  error.completeExceptionally(new AssertionError("completed after close"));
                }
              });
    } catch (IllegalStateException e) {
      error.complete(e); // refused at once: as good
    }
    assertThat(completes(error)).isInstanceOf(IllegalStateException.class);
  }

  /**
   * Batches submitted while another thread closes the fetcher: each is refused with an {@link
   * IllegalStateException}, or completes with one result per input.
   */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void closeRacingSubmissionsLeavesNoBatchBehind(ExecutionPolicy policy) throws Exception {
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    ExecutorService submitters = Executors.newFixedThreadPool(4);
    List<String> urls = server.urls("/ok", 5);
    AtomicInteger submitted = new AtomicInteger();
    try {
      List<Future<List<CompletableFuture<List<Result>>>>> work = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        work.add(
            submitters.submit(
                () -> {
                  List<CompletableFuture<List<Result>>> batches = new ArrayList<>();
                  for (int i = 0; i < 50; i++) {
                    try {
                      batches.add(fetcher.fetchAll(urls));
                      submitted.incrementAndGet();
                    } catch (IllegalStateException refused) {
                      break;
                    }
                  }
                  return batches;
                }));
      }
      await().atMost(BOUND).until(() -> submitted.get() >= 20);
      fetcher.close();
      List<CompletableFuture<List<Result>>> batches =
          work.stream()
              .flatMap(
                  f -> {
                    try {
                      return f.get(BOUND.toSeconds(), TimeUnit.SECONDS).stream();
                    } catch (Exception e) {
                      throw new AssertionError(e);
                    }
                  })
              .toList();
      for (CompletableFuture<List<Result>> batch : batches) {
        oneResultPerInput(completes(batch), urls);
      }
    } finally {
      submitters.shutdownNow();
    }
  }
}
