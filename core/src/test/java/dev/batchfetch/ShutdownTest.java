package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code shutdown()}: no new batches, the running ones finish, then the fetcher lets go. */
@Timeout(30)
class ShutdownTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void releaseHeldRequests() {
    release.countDown();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void runningBatchesFinishAndNoNewOneIsTaken(ExecutionPolicy policy) throws Exception {
    IdDispatcher dispatcher = new IdDispatcher(release);
    server.setDispatcher(dispatcher);
    // Discovery off: its slow start would keep 8 calls in flight, not the policy's width.
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).quotaDiscovery(false).build());
    CompletableFuture<List<Result>> running = fetcher.fetchAll(Urls.ids(server, 20));
    List<Result> streamed = new java.util.concurrent.CopyOnWriteArrayList<>();
    CompletableFuture<BatchSummary> stream = fetcher.fetchEach(Urls.ids(server, 5), streamed::add);
    await().until(() -> dispatcher.inFlight() == policy.width());

    fetcher.shutdown();

    assertThat(fetcher.isShutdown()).isTrue();
    assertThatThrownBy(() -> fetcher.fetchAll(Urls.ids(server, 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(fetcher.name() + " is shut down");
    assertThat(fetcher.awaitTermination(Duration.ofMillis(50))).isFalse();
    assertThat(fetcher.isTerminated()).isFalse();
    release.countDown();
    assertThat(running.join()).hasSize(20).allMatch(Result::isSuccess);
    assertThat(stream.join().succeeded()).isEqualTo(5);
    assertThat(fetcher.awaitTermination(Duration.ofSeconds(10))).isTrue();
    assertThat(fetcher.isTerminated()).isTrue();
    assertThat(fetcher.activeThreads()).isZero();
    assertThat(dispatcher.requestCount()).isEqualTo(25);
  }

  @Test
  void anIdleFetcherTerminatesAtOnce() throws Exception {
    BatchFetcher fetcher = leaks.track(BatchFetcher.async(4));

    fetcher.shutdown();
    fetcher.shutdown(); // idempotent

    assertThat(fetcher.awaitTermination(Duration.ofSeconds(5))).isTrue();
    assertThat(fetcher.isTerminated()).isTrue();
    assertThatThrownBy(() -> fetcher.fetchEach(List.of("http://a.test/"), r -> {}))
        .isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void closeAfterShutdownEndsWhatStillRuns(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher(release);
    server.setDispatcher(dispatcher);
    // Discovery off: its slow start would keep 8 calls in flight, not the policy's width.
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).quotaDiscovery(false).build());
    CompletableFuture<List<Result>> running = fetcher.fetchAll(Urls.ids(server, 20));
    await().until(() -> dispatcher.inFlight() == policy.width());
    fetcher.shutdown();

    NoLeaks.closeAndCheck(fetcher);

    assertThat(running).isCompleted();
    assertThat(running.join()).hasSize(20).noneMatch(Result::isSuccess);
    assertThat(fetcher.isTerminated()).isTrue();
  }

  @Test
  void awaitTerminationChecksItsArgument() {
    BatchFetcher fetcher = leaks.track(BatchFetcher.async(1));

    assertThatThrownBy(() -> fetcher.awaitTermination(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
  }
}
