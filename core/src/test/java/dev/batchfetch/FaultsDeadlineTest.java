package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15: a default deadline ends any single input that stalls. A server that drips its body at
 * one byte a second never trips a read timeout, and a resolver that does not answer (a host that
 * cannot be resolved, with the resolver's server gone) trips none at all, since OkHttp cannot
 * interrupt a DNS lookup; the input must still end, as a {@link ErrorKind#TIMEOUT}, on the
 * fetcher's own timer, without {@code close()}.
 *
 * <p>The default itself, {@link #DEFAULT_INPUT_TIMEOUT}, is checked in virtual time, so that the
 * build does not wait two minutes for it; the real network runs with a short one, under the three
 * policies at once.
 */
@Timeout(60)
class FaultsDeadlineTest {
  /** The documented default of {@link BatchFetcher.Builder#inputTimeout}. */
  static final Duration DEFAULT_INPUT_TIMEOUT = Duration.ofMinutes(2);

  @RegisterExtension final Uncaught uncaught = new Uncaught();
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final CountDownLatch resolverAnswers = new CountDownLatch(1);
  private final Virtual virtual = new Virtual();

  @AfterEach
  void answerTheResolver() {
    resolverAnswers.countDown();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void withNothingConfiguredAnInputThatStallsEndsAfterTheDefaultTimeout(ExecutionPolicy policy) {
    virtual.server.hold(); // no answer, ever
    BatchFetcher fetcher = leaks.track(virtual.builder().policy(policy).build());

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(List.of("http://a.test/stall"));
    virtual.clock.advance(DEFAULT_INPUT_TIMEOUT.minusMillis(1));
    assertThat(batch).isNotDone();
    virtual.advanceMillis(1);

    assertThat(batch).isDone();
    Result result = batch.join().get(0);
    assertThat(result.error()).as("%s", result).isEqualTo(ErrorKind.TIMEOUT);
    assertThat(result.exception()).hasMessageContaining("inputTimeout");
    assertThat(result.attempts()).isEqualTo(1);
    assertThat(result.elapsed()).isEqualTo(DEFAULT_INPUT_TIMEOUT);
  }

  /**
   * The time counts over the input's attempts, but not its waits: a first attempt answered 503
   * after 700 ms, a backoff of 20 ms, then a second attempt that stalls ends at 1 s in flight.
   */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void theTimeInFlightCountsOverAttemptsAndNotTheWaitsBetweenThem(ExecutionPolicy policy) {
    virtual.server.then(
        "a.test/flaky", FakeServer.reply(503, Duration.ofMillis(700), "Retry-After", "5"));
    BatchFetcher fetcher =
        leaks.track(virtual.builder().policy(policy).inputTimeout(Duration.ofSeconds(1)).build());

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(List.of("http://a.test/flaky"));
    virtual.advanceMillis(700);
    virtual.server.hold(); // the retry, five seconds on, stalls
    virtual.advanceMillis(5_000 + 299);
    assertThat(batch).isNotDone();
    virtual.advanceMillis(1);

    assertThat(batch).isDone();
    Result result = batch.join().get(0);
    assertThat(result.error()).as("%s", result).isEqualTo(ErrorKind.TIMEOUT);
    assertThat(result.attempts()).isEqualTo(2);
    assertThat(virtual.server.millisOf("a.test/flaky")).containsExactly(0L, 5_700L);
  }

  @Test
  void aDrippedBodyOrASilentResolverEndsOnTheFetchersTimerUnderEveryPolicy() throws Exception {
    Duration timeout = Duration.ofSeconds(1);
    for (int i = 0; i < 3; i++) {
      server.enqueue(
          new MockResponse.Builder()
              .body(new Buffer().write(new byte[100_000]))
              .throttleBody(1, 1, TimeUnit.SECONDS)
              .build());
    }
    // A resolver that does not answer, as one whose server is gone: an unresolvable host.
    OkHttpClient silentResolver =
        new OkHttpClient.Builder()
            .dns(
                hostname -> {
                  try {
                    resolverAnswers.await(60, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  throw new UnknownHostException(hostname + ": the resolver did not answer");
                })
            .build();
    Map<String, CompletableFuture<List<Result>>> batches = new LinkedHashMap<>();
    long start = System.nanoTime();
    Policies.all()
        .forEach(
            policy -> {
              batches.put(
                  policy + ", body dripped",
                  leaks
                      .track(BatchFetcher.builder().policy(policy).inputTimeout(timeout).build())
                      .fetchAll(List.of(server.url("/drip").toString())));
              batches.put(
                  policy + ", resolver silent",
                  leaks
                      .track(
                          BatchFetcher.builder()
                              .policy(policy)
                              .client(silentResolver)
                              .inputTimeout(timeout)
                              .build())
                      .fetchAll(List.of("http://silent.invalid/")));
            });

    List<String> broke = new ArrayList<>();
    for (Map.Entry<String, CompletableFuture<List<Result>>> batch : batches.entrySet()) {
      try {
        Result result = batch.getValue().get(10, TimeUnit.SECONDS).get(0);
        if (result.error() != ErrorKind.TIMEOUT || result.attempts() != 1) {
          broke.add(batch.getKey() + ": " + result);
        }
      } catch (TimeoutException e) {
        broke.add(batch.getKey() + ": not done after 10 s");
      } catch (ExecutionException e) {
        broke.add(batch.getKey() + ": failed with " + e.getCause());
      }
    }

    assertThat(broke).as("inputs that did not end by themselves").isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("time to end them all, with an inputTimeout of %s", timeout)
        .isLessThan(Duration.ofSeconds(5));
    assertThat(resolverAnswers.getCount()).as("the resolver still blocked").isOne();
  }

  /**
   * An input that ran out of time gives its slot back at once, even if its call never reports
   * (stuck where no cancel reaches): the next input starts then.
   */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void anInputThatRanOutOfTimeGivesItsSlotBackAtOnce(ExecutionPolicy policy) {
    virtual.server.hold();
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .maxConcurrent(1)
                .inputTimeout(Duration.ofSeconds(1))
                .build());

    List<Result> results =
        virtual.run(fetcher.fetchAll(List.of("http://a.test/first", "http://a.test/second")));

    assertThat(results).extracting(Result::error).containsOnly(ErrorKind.TIMEOUT);
    assertThat(virtual.server.millisOf("a.test/")).containsExactly(0L, 1_000L);
  }
}
