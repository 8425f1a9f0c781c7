package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The events a listener hears, in virtual time: which, in what order, when, with what in them; and
 * that a listener that throws breaks nothing.
 */
@Timeout(30)
class EventsTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  private final Virtual virtual = new Virtual();
  private final Recorder recorder = new Recorder(virtual.clock);

  private static final RetryPolicy FAST =
      RetryPolicy.defaults().withBackoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1));

  /** 429 with Retry-After, 503 without, a 500, a refused connection, an invalid URL. */
  private static final List<String> FAULTY =
      List.of(
          "http://a.test/x", "http://b.test/x", "http://c.test/x", "http://d.test/x", "not a url");

  private List<Result> fetchFaulty(ExecutionPolicy policy) {
    virtual.server.then("a.test/x", 429, "Retry-After", "2");
    virtual.server.then("b.test/x", 503);
    virtual.server.then("c.test/x", 500);
    virtual.server.refuse("d.test/x").refuse("d.test/x").refuse("d.test/x");
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .retry(FAST.withJitter(0))
                .eventListener(recorder)
                .build());
    return virtual.run(fetcher.fetchAll(FAULTY));
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void eachInputsAttemptsRetriesAndResultAreHeardInOrder(ExecutionPolicy policy) {
    List<Result> results = fetchFaulty(policy);

    assertThat(results).extracting(Result::status).containsExactly(200, 200, 500, 0, 0);
    List<String> lines = recorder.lines();
    assertThat(lines.get(0)).isEqualTo("0 batchStarted 1 total=5");
    assertThat(lines.get(lines.size() - 1))
        .isEqualTo("2000 batchEnded 1 results=5 ok=2 {INVALID_URL=1, CONNECT=1, HTTP_STATUS=1}");
    assertThat(recorder.lines("#0 "))
        .containsExactly(
            "0 attemptStarted #0 a.test:80 attempt=1 queued=0",
            "0 attemptEnded #0 a.test:80 attempt=1 status=429 error=HTTP_STATUS took=0",
            "0 retryScheduled #0 attempt=1 in=2000 429, Retry-After",
            "2000 attemptStarted #0 a.test:80 attempt=2 queued=0",
            "2000 attemptEnded #0 a.test:80 attempt=2 status=200 error=null took=0",
            "2000 inputEnded #0 status=200 error=null attempts=2");
    assertThat(recorder.lines("#1 "))
        .containsExactly(
            "0 attemptStarted #1 b.test:80 attempt=1 queued=0",
            "0 attemptEnded #1 b.test:80 attempt=1 status=503 error=HTTP_STATUS took=0",
            "0 retryScheduled #1 attempt=1 in=100 503, backoff",
            "100 attemptStarted #1 b.test:80 attempt=2 queued=0",
            "100 attemptEnded #1 b.test:80 attempt=2 status=200 error=null took=0",
            "100 inputEnded #1 status=200 error=null attempts=2");
    assertThat(recorder.lines("#2 "))
        .containsExactly(
            "0 attemptStarted #2 c.test:80 attempt=1 queued=0",
            "0 attemptEnded #2 c.test:80 attempt=1 status=500 error=HTTP_STATUS took=0",
            "0 inputEnded #2 status=500 error=HTTP_STATUS attempts=1");
    assertThat(recorder.lines("#3 "))
        .containsExactly(
            "0 attemptStarted #3 d.test:80 attempt=1 queued=0",
            "0 attemptEnded #3 d.test:80 attempt=1 status=0 error=CONNECT took=0",
            "0 retryScheduled #3 attempt=1 in=100 CONNECT, backoff",
            "100 attemptStarted #3 d.test:80 attempt=2 queued=0",
            "100 attemptEnded #3 d.test:80 attempt=2 status=0 error=CONNECT took=0",
            "100 retryScheduled #3 attempt=2 in=200 CONNECT, backoff",
            "300 attemptStarted #3 d.test:80 attempt=3 queued=0",
            "300 attemptEnded #3 d.test:80 attempt=3 status=0 error=CONNECT took=0",
            "300 inputEnded #3 status=0 error=CONNECT attempts=3");
    assertThat(recorder.lines("#4 "))
        .containsExactly("0 inputEnded #4 status=0 error=INVALID_URL attempts=0");
    assertThat(recorder.lines("hostPaused"))
        .containsExactlyInAnyOrder(
            "0 hostPaused a.test:80 2000 RETRY_AFTER", "0 hostPaused b.test:80 100 BACKOFF");
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aListenerThatThrowsBreaksNeitherTheBatchNorTheOtherListeners(ExecutionPolicy policy) {
    List<String> thrown = new ArrayList<>();
    FetchListener throwing =
        new FetchListener() {
          @Override
          public void attemptStarted(AttemptStarted event) {
            thrown.add("exception");
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void attemptEnded(AttemptEnded event) {
            thrown.add("error");
            throw new AssertionError("listener bug, an Error");
          }

          @Override
          public void batchEnded(BatchEnded event) {
            throw new StackOverflowError();
          }
        };
    virtual.server.then("a.test/x", 503);
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .retry(FAST)
                .eventListener(throwing)
                .eventListener(recorder)
                .build());

    List<Result> results = virtual.run(fetcher.fetchAll(List.of("http://a.test/x", "bad")));

    assertThat(results).extracting(Result::status).containsExactly(200, 0);
    assertThat(thrown).containsExactly("exception", "error", "exception", "error");
    assertThat(recorder.count(line -> line.matches("\\d+ attempt(Started|Ended) .*"))).isEqualTo(4);
    assertThat(recorder.lines("batchEnded")).hasSize(1);
  }

  /** An attempt cut by the input's time in flight ends too: one end for each start. */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void anAttemptCutByTheInputTimeoutIsHeardToEnd(ExecutionPolicy policy) {
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(policy)
                .inputTimeout(Duration.ofSeconds(1))
                .eventListener(recorder)
                .build());
    virtual.server.hold(); // the call stalls

    List<Result> results = virtual.run(fetcher.fetchAll(List.of("http://a.test/x")));

    assertThat(results.get(0).error()).isEqualTo(ErrorKind.TIMEOUT);
    assertThat(recorder.lines("#0 "))
        .containsExactly(
            "0 attemptStarted #0 a.test:80 attempt=1 queued=0",
            "1000 attemptEnded #0 a.test:80 attempt=1 status=0 error=TIMEOUT took=1000",
            "1000 inputEnded #0 status=0 error=TIMEOUT attempts=1");
  }

  @Test
  void waitsForPermitsSayWhichLimiterAndHowLong() {
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(ExecutionPolicy.async(8))
                .rateLimit(RateLimit.perSecond(2))
                .host("a.test", HostLimits.of(RateLimit.perSecond(1)))
                .eventListener(recorder)
                .build());

    virtual.run(fetcher.fetchAll(List.of("http://a.test/1", "http://a.test/2", "http://b.test/1")));

    assertThat(recorder.lines("permitWaited"))
        .containsExactly(
            // b.test's call is next in line once a.test waits for its own limiter: it takes the
            // global permit due at 500 ms, and a.test's second call the one due at 1 s.
            "0 permitWaited #1 a.test:80 HOST 1000", "0 permitWaited #2 b.test:80 GLOBAL 500");
    assertThat(recorder.lines("attemptStarted #1"))
        .containsExactly("1000 attemptStarted #1 a.test:80 attempt=1 queued=1000");
  }

  @Test
  void aQuotaTheServerAnnouncesIsARateChange() {
    virtual.server.then("a.test/0", 200, "RateLimit-Policy", "5;w=1");
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(ExecutionPolicy.async(1))
                .perHost(HostLimits.of(RateLimit.perSecond(10)))
                .adaptToServerQuota(true)
                .quotaDiscovery(false)
                .eventListener(recorder)
                .build());

    virtual.run(fetcher.fetchAll(List.of("http://a.test/0", "http://a.test/1")));

    assertThat(recorder.lines("rateChanged"))
        .containsExactly("0 rateChanged a.test:80 10 per PT1S -> 5 per PT1S SERVER_QUOTA");
  }

  @Test
  void aQuotaDiscoveryLearnsIsARateChangeFromTheConfiguredRate() {
    virtual.server.then("a.test/0", 200, "RateLimit-Policy", "5;w=1");
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(ExecutionPolicy.async(1))
                .perHost(HostLimits.of(RateLimit.perSecond(10)))
                .eventListener(recorder)
                .build());

    virtual.run(fetcher.fetchAll(List.of("http://a.test/0", "http://a.test/1")));

    assertThat(recorder.lines("rateChanged"))
        .containsExactly("0 rateChanged a.test:80 10 per PT1S -> 1 per PT0.2S LEARNED");
  }

  @Test
  void anIdleHostForgottenIsHeard() {
    BatchFetcher fetcher = leaks.track(virtual.builder().eventListener(recorder).build());

    virtual.run(fetcher.fetchAll(List.of("http://a.test/0")));
    virtual.run(fetcher.fetchAll(List.of("http://b.test/0")));

    assertThat(recorder.lines("hostEvicted")).containsExactly("3600000 hostEvicted a.test:80");
  }

  @Test
  void runningBatchesReportTheirProgressToListeners() {
    virtual.server.latency(Duration.ofMillis(2_500));
    BatchFetcher fetcher =
        leaks.track(
            virtual.builder().policy(ExecutionPolicy.async(1)).eventListener(recorder).build());

    virtual.run(fetcher.fetchAll(List.of("http://a.test/0", "http://a.test/1")));

    assertThat(recorder.lines("batchProgress"))
        .containsExactly(
            "1000 batchProgress 1 waiting=1 inFlight=1",
            "2000 batchProgress 1 waiting=1 inFlight=1",
            "3000 batchProgress 1 waiting=0 inFlight=1",
            "4000 batchProgress 1 waiting=0 inFlight=1");
  }
}
