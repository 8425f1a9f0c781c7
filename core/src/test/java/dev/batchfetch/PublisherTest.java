package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Results as a {@link Flow.Publisher}: demand sets the pace, cancel stops the batch. */
@Timeout(30)
class PublisherTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aSubscriberAskingOneAtATimeGetsEveryResultThenComplete(ExecutionPolicy policy)
      throws InterruptedException {
    server.setDispatcher(new IdDispatcher());
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    Recorder recorder = new Recorder(1);

    fetcher.publisher(Inputs.ids(server, 300)).subscribe(recorder);

    assertThat(recorder.done.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(recorder.error.get()).isNull();
    assertThat(recorder.completions).hasValue(1);
    BitSet seen = new BitSet();
    recorder.results.forEach(r -> seen.set(r.index()));
    assertThat(recorder.results).hasSize(300);
    assertThat(seen.cardinality()).isEqualTo(300);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#concurrent")
  void withoutDemandTheBatchWaitsAndCancelStopsIt(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher();
    server.setDispatcher(dispatcher);
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    Recorder recorder = new Recorder(0);
    Inputs endless = Inputs.endless(server);

    fetcher.publisher(endless).subscribe(recorder);
    recorder.subscription().request(5);
    OkHttpClient client = fetcher.client();
    await()
        .until(
            () ->
                recorder.results.size() == 5
                    && dispatcher.requestCount() >= 64
                    && client.dispatcher().runningCallsCount() == 0);

    // Five delivered, 64 held for the subscriber: then nothing more starts.
    assertThat(dispatcher.requestCount()).isLessThanOrEqualTo(5 + 64 + policy.width());
    recorder.subscription().cancel();
    NoLeaks.closeAndCheck(fetcher);
    assertThat(recorder.results).hasSize(5);
    assertThat(recorder.completions).hasValue(0);
    assertThat(recorder.error.get()).isNull();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void demandSetsThePaceExactly(ExecutionPolicy policy) {
    Virtual virtual = new Virtual();
    virtual.server.latency(Duration.ofMillis(10));
    BatchFetcher fetcher = leaks.track(virtual.builder().policy(policy).build());
    Recorder recorder = new Recorder(0);
    Inputs endless = Inputs.endless();

    fetcher.publisher(endless).subscribe(recorder);
    recorder.subscription().request(5);
    virtual.advanceMillis(60_000);

    // Five delivered, then the buffer of results waiting for the subscriber (2 x the width, at
    // least 64) filled, with the calls that were in flight when it did: then no call starts, and
    // the input is read no further than 10,000 ahead of what was delivered, though it has no end.
    int buffer = Math.max(64, 2 * policy.width());
    assertThat(recorder.results).hasSize(5);
    assertThat(virtual.server.sent()).hasSize(5 + buffer + policy.width() - 1);
    assertThat(endless.read()).isEqualTo(5 + 10_000);

    recorder.subscription().request(100);
    virtual.advanceMillis(60_000);

    assertThat(recorder.results).hasSize(105);
    assertThat(virtual.server.sent()).hasSize(105 + buffer + policy.width() - 1);
    assertThat(endless.read()).isEqualTo(105 + 10_000);
    recorder.subscription().cancel();
    virtual.advanceMillis(1);
    assertThat(recorder.completions).hasValue(0);
    assertThat(recorder.error.get()).isNull();
  }

  @Test
  void aNonPositiveRequestIsAnError() throws InterruptedException {
    server.setDispatcher(new IdDispatcher());
    BatchFetcher fetcher = leaks.track(BatchFetcher.async(4));
    Recorder recorder = new Recorder(0);

    fetcher.publisher(Inputs.endless(server)).subscribe(recorder);
    recorder.subscription().request(0);

    assertThat(recorder.done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(recorder.error.get()).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aClosedFetchersPublisherSignalsTheErrorAfterSubscribing() throws InterruptedException {
    BatchFetcher fetcher = leaks.track(BatchFetcher.async(4));
    Flow.Publisher<Result> publisher = fetcher.publisher(List.of("http://127.0.0.1/"));
    fetcher.close();
    Recorder recorder = new Recorder(1);

    publisher.subscribe(recorder);

    assertThat(recorder.done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(recorder.subscribed).isTrue();
    assertThat(recorder.error.get()).isInstanceOf(IllegalStateException.class);
  }

  /** Records what it is sent; asks for {@code step} more after each result, if step > 0. */
  private static final class Recorder implements Flow.Subscriber<Result> {
    final List<Result> results = new CopyOnWriteArrayList<>();
    final AtomicInteger completions = new AtomicInteger();
    final AtomicReference<@Nullable Throwable> error = new AtomicReference<>();
    final CountDownLatch done = new CountDownLatch(1);
    private final int step;
    private volatile Flow.@Nullable Subscription subscription;
    volatile boolean subscribed;

    Recorder(int step) {
      this.step = step;
    }

    Flow.Subscription subscription() {
      Flow.Subscription s = subscription;
      assertThat(s).isNotNull();
      return s;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      subscribed = true;
      if (step > 0) {
        s.request(step);
      }
    }

    @Override
    public void onNext(Result result) {
      results.add(result);
      if (step > 0) {
        subscription().request(step);
      }
    }

    @Override
    public void onError(Throwable failure) {
      error.set(failure);
      done.countDown();
    }

    @Override
    public void onComplete() {
      completions.incrementAndGet();
      done.countDown();
    }
  }
}
