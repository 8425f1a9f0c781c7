package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Cancelling a batch, closing a fetcher, and closing every response body. */
@Timeout(30)
class LifecycleTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void releaseHeldRequests() {
    release.countDown();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void cancellingTheFutureCancelsQueuedAndInFlightCalls(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher(release);
    server.setDispatcher(dispatcher);
    // Every call in flight at once, at the policy's width: no slow start of quota discovery.
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).quotaDiscovery(false).build());
    int width = policy.width();
    CompletableFuture<List<Result>> batch = fetcher.fetchAll(Urls.ids(server, 100));
    await().until(() -> dispatcher.inFlight() == width);

    assertThat(batch.cancel(true)).isTrue();

    // The calls held by the server end on the client side although the server never answers.
    OkHttpClient client = fetcher.client();
    await().until(() -> client.dispatcher().runningCallsCount() == 0);
    release.countDown();
    NoLeaks.closeAndCheck(fetcher);
    assertThat(dispatcher.requestCount()).as("calls started after the cancel").isEqualTo(width);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void closeCompletesRunningBatchesWithOneResultPerInput(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher(release);
    server.setDispatcher(dispatcher);
    // Every call in flight at once, at the policy's width: no slow start of quota discovery.
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).quotaDiscovery(false).build());
    int width = policy.width();
    CompletableFuture<List<Result>> batch = fetcher.fetchAll(Urls.ids(server, 20));
    await().until(() -> dispatcher.inFlight() == width);

    NoLeaks.closeAndCheck(fetcher);

    assertThat(batch).isCompleted();
    List<Result> results = batch.join();
    assertThat(results).hasSize(20);
    assertThat(results.subList(0, width))
        .allSatisfy(r -> assertThat(r.error()).isEqualTo(ErrorKind.CANCELLED));
    assertThat(results.subList(width, 20))
        .allSatisfy(r -> assertThat(r.error()).isEqualTo(ErrorKind.REJECTED));
    assertThat(results).extracting(Result::index).containsExactlyElementsOf(range(20));
  }

  /**
   * Someone who watches a response's end (the command line's gate, which closes the fetcher once
   * the calls in flight are done) must find its result recorded: a close that follows cannot turn a
   * response read whole into a {@code CANCELLED} result.
   */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aResponseWhoseBodyWasClosedKeepsItsResultThroughAClose(ExecutionPolicy policy)
      throws Exception {
    server.enqueue(new MockResponse.Builder().body("answered").build());
    CountDownLatch bodyClosed = new CountDownLatch(1);
    CountDownLatch closedFetcher = new CountDownLatch(1);
    OkHttpClient watching =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  okhttp3.Response response = chain.proceed(chain.request());
                  okhttp3.ResponseBody body = response.body();
                  okhttp3.ResponseBody watched =
                      new okhttp3.ResponseBody() {
                        @Override
                        public okhttp3.@org.jspecify.annotations.Nullable MediaType contentType() {
                          return body.contentType();
                        }

                        @Override
                        public long contentLength() {
                          return body.contentLength();
                        }

                        @Override
                        public okio.BufferedSource source() {
                          return body.source();
                        }

                        @Override
                        public void close() {
                          body.close();
                          bodyClosed.countDown();
                          try { // the fetcher is closed before this call's thread goes on
                            closedFetcher.await(10, TimeUnit.SECONDS);
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        }
                      };
                  return response.newBuilder().body(watched).build();
                })
            .build();
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).client(watching).build());
    CompletableFuture<List<Result>> batch = fetcher.fetchAll(List.of(server.url("/").toString()));
    assertThat(bodyClosed.await(10, TimeUnit.SECONDS)).as("the body was closed").isTrue();

    Thread closer = new Thread(fetcher::close, "closer");
    closer.start();
    await().until(batch::isDone); // the close ended the batch, or the answer had already
    closedFetcher.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(20));

    Result result = batch.join().get(0);
    assertThat(result.error()).as("the result of %s", result).isNull();
    assertThat(result.text()).isEqualTo("answered");
    NoLeaks.closeAndCheck(fetcher);
  }

  @Test
  void refusesNewBatchesAfterClose() {
    BatchFetcher fetcher = leaks.track(BatchFetcher.async(4));
    fetcher.close();

    assertThatThrownBy(() -> fetcher.fetchAll(List.of("http://127.0.0.1/")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void closeIsIdempotentAndSafeFromManyThreadsAtOnce() throws Exception {
    server.setDispatcher(new IdDispatcher(release));
    BatchFetcher fetcher = leaks.track(BatchFetcher.async(8));
    CompletableFuture<List<Result>> batch = fetcher.fetchAll(Urls.ids(server, 50));
    ExecutorService closers = Executors.newFixedThreadPool(4);
    try {
      CyclicBarrier start = new CyclicBarrier(4);
      List<Future<Object>> closes =
          closers.invokeAll(
              java.util.Collections.nCopies(
                  4,
                  () -> {
                    start.await(5, TimeUnit.SECONDS);
                    fetcher.close();
                    return "closed";
                  }));
      for (Future<Object> close : closes) {
        assertThat(close.get(10, TimeUnit.SECONDS)).isEqualTo("closed");
      }
    } finally {
      closers.shutdownNow();
    }
    assertThat(batch.join()).hasSize(50).noneMatch(Result::isSuccess);
    NoLeaks.closeAndCheck(fetcher);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void closesEveryResponseBody(ExecutionPolicy policy) {
    server.setDispatcher(
        new Routes(
            Map.of(
                "/ok", new MockResponse.Builder().body("x".repeat(10_000)).build(),
                "/error", new MockResponse.Builder().code(500).body("y".repeat(10_000)).build(),
                "/empty", new MockResponse.Builder().code(204).build())));
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    List<String> urls = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      urls.add(server.url(List.of("/ok", "/error", "/empty").get(i % 3)).toString());
    }

    fetcher.fetchAll(urls).join();

    // A response body left open keeps its connection busy: every pooled connection must be idle.
    OkHttpClient client = fetcher.client();
    assertThat(client.connectionPool().connectionCount()).isPositive();
    assertThat(client.connectionPool().idleConnectionCount())
        .isEqualTo(client.connectionPool().connectionCount());
  }

  @Test
  void staticFactoriesGiveWorkingFetchers() {
    server.setDispatcher(new IdDispatcher());
    for (BatchFetcher fetcher :
        List.of(BatchFetcher.sequential(), BatchFetcher.pool(2), BatchFetcher.async(4))) {
      leaks.track(fetcher);
      assertThat(fetcher.fetchAll(Urls.ids(server, 5)).join()).allMatch(Result::isSuccess);
    }
  }

  private static List<Integer> range(int n) {
    return java.util.stream.IntStream.range(0, n).boxed().toList();
  }
}
