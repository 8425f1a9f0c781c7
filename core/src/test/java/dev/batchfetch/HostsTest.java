package dev.batchfetch;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many hosts at once: each its own limits and pauses, none holding up the others. Distinct
 * MockWebServer ports are distinct hosts.
 */
@Timeout(30)
class HostsTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer a = Servers.noDelay();
  @StartStop private final MockWebServer b = Servers.noDelay();
  @StartStop private final MockWebServer c = Servers.noDelay();
  private final Script scriptA = new Script();
  private final Script scriptB = new Script();
  private final Script scriptC = new Script();

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aHostPausedByItsServerHoldsUpNoOtherHost(ExecutionPolicy policy) {
    scriptA.then("/a0", Script.status(429, "Retry-After", "2"));
    serve();
    // One call at a time per host, so that no call to a is already in flight when its 429 comes.
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .perHost(HostLimits.of(RateLimit.unlimited(), 1))
                .build());

    long start = System.nanoTime();
    List<Result> results = fetcher.fetchAll(interleaved(5)).join();

    assertThat(results).allMatch(Result::isSuccess);
    List<Long> arrivalsA = scriptA.arrivalsOf("/");
    // After the 429, host a hears nothing for two seconds: its other inputs waited too.
    assertThat(arrivalsA).hasSize(6);
    for (long arrival : arrivalsA.subList(1, 6)) {
      assertThat(NANOSECONDS.toMillis(arrival - arrivalsA.get(0)))
          .as("%s", scriptA.arrivals())
          .isGreaterThanOrEqualTo(1_900);
    }
    // Hosts b and c went on meanwhile, and were done long before the pause ended.
    assertThat(lastMillis(scriptB, start)).isLessThan(1_500);
    assertThat(lastMillis(scriptC, start)).isLessThan(1_500);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aTooManyRequestsWithoutRetryAfterHoldsTheHostForTheBackoff(ExecutionPolicy policy) {
    List<Script.Arrival> arrivals = a0AnswersThenA0A1Fetched(policy, 429, Duration.ofMillis(400));

    // a1 did not go while a0 backed off: it would only have collected another 429.
    assertThat(arrivals).extracting(Script.Arrival::path).startsWith("/a0").contains("/a1");
    assertThat(NANOSECONDS.toMillis(arrivals.get(1).nanos() - arrivals.get(0).nanos()))
        .isGreaterThanOrEqualTo(350);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aBadGatewayWithoutRetryAfterHoldsOnlyItsOwnRetry(ExecutionPolicy policy) {
    List<Script.Arrival> arrivals = a0AnswersThenA0A1Fetched(policy, 502, Duration.ofSeconds(2));

    // a1 went while a0 backed off: one bad upstream call says nothing of the host's quota.
    assertThat(arrivals).extracting(Script.Arrival::path).containsExactly("/a0", "/a1", "/a0");
    assertThat(NANOSECONDS.toMillis(arrivals.get(1).nanos() - arrivals.get(0).nanos()))
        .isLessThan(1_500);
  }

  @Test
  void aLaterShorterPauseNeverCutsALongerOneShort() {
    scriptA
        .holdUntilTogether(2)
        .then("/a0", Script.status(429, "Retry-After", "2"))
        .then("/a1", Script.status(429, "Retry-After", "1"));
    serve();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(ExecutionPolicy.async(4))
                .perHost(HostLimits.of(RateLimit.unlimited(), 2))
                .build());

    fetcher.fetchAll(List.of(url(a, "/a0"), url(a, "/a1"), url(a, "/a2"))).join();

    List<Long> arrivals = scriptA.arrivalsOf("/");
    assertThat(arrivals).hasSize(5);
    long first = Math.min(arrivals.get(0), arrivals.get(1));
    for (long later : arrivals.subList(2, 5)) {
      assertThat(NANOSECONDS.toMillis(later - first)).isGreaterThanOrEqualTo(1_900);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void failsAtOnceWhenTheServerAsksForMoreThanTheCap(ExecutionPolicy policy) {
    scriptA.then("/a0", Script.status(429, "Retry-After", "86400"));
    serve();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .perHost(HostLimits.of(RateLimit.unlimited(), 1))
                .maxRetryAfter(Duration.ofMinutes(1))
                .build());

    List<Result> results =
        fetcher.fetchAll(List.of(url(a, "/a0"), url(a, "/a1"), url(b, "/b0"))).join();

    assertThat(results.get(0).error()).isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(results.get(0).status()).isEqualTo(429);
    assertThat(results.get(0).attempts()).isEqualTo(1);
    // The host's next input is not sent to a server that asked for a day's rest.
    assertThat(results.get(1).error()).isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(results.get(1).attempts()).isZero();
    assertThat(results.get(1).exception()).hasMessageContaining("maxRetryAfter");
    assertThat(results.get(2).isSuccess()).isTrue();
    assertThat(scriptA.arrivals()).hasSize(1);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#concurrent")
  void eachHostKeepsToItsOwnRate(ExecutionPolicy policy) {
    serve();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .perHost(HostLimits.of(RateLimit.perSecond(10)))
                .build());

    fetcher.fetchAll(interleaved(4)).join();

    for (Script script : List.of(scriptA, scriptB, scriptC)) {
      List<Long> arrivals = script.arrivalsOf("/");
      // 100 ms apart, less the jitter of arrivals: a host's first request opens its connection.
      for (int i = 1; i < arrivals.size(); i++) {
        assertThat(NANOSECONDS.toMillis(arrivals.get(i) - arrivals.get(i - 1)))
            .isGreaterThanOrEqualTo(50);
      }
      assertThat(NANOSECONDS.toMillis(arrivals.get(arrivals.size() - 1) - arrivals.get(0)))
          .isGreaterThanOrEqualTo(270);
    }
    // ...and the hosts run side by side: b's first call did not wait for a's.
    assertThat(
            NANOSECONDS.toMillis(
                scriptB.arrivals().get(0).nanos() - scriptA.arrivals().get(0).nanos()))
        .isLessThan(80);
  }

  @Test
  void aNamedHostGetsItsOwnLimits() {
    serve();
    CountDownLatch release = new CountDownLatch(1);
    IdDispatcher held = new IdDispatcher(release);
    a.setDispatcher(held);
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(ExecutionPolicy.async(16))
                .host("localhost:" + a.getPort(), HostLimits.of(RateLimit.unlimited(), 2))
                .build());

    List<String> urls = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      urls.add(a.url("/id/" + i).toString());
      urls.add(b.url("/b" + i).toString());
    }
    CompletableFuture<List<Result>> batch = fetcher.fetchAll(urls);
    org.awaitility.Awaitility.await().until(() -> scriptB.arrivals().size() == 6);
    assertThat(held.inFlight()).isEqualTo(2); // a: at most two at once, b: all six went
    release.countDown();

    assertThat(batch.join()).allMatch(Result::isSuccess);
    assertThat(held.maxInFlight()).isEqualTo(2);
  }

  @Test
  void aGlobalLimitSpansAllHosts() {
    serve();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(ExecutionPolicy.async(16))
                .rateLimit(RateLimit.perSecond(10))
                .perHost(HostLimits.of(RateLimit.perSecond(100)))
                .build());

    fetcher.fetchAll(interleaved(2)).join();

    List<Long> all = new ArrayList<>();
    for (Script script : List.of(scriptA, scriptB, scriptC)) {
      all.addAll(script.arrivalsOf("/"));
    }
    all.sort(null);
    // Starts are 100 ms apart; arrivals jitter by a few ms either way (a new connection per host),
    // while the hosts' own 100 a second alone would let them come 10 ms apart.
    for (int i = 1; i < all.size(); i++) {
      assertThat(NANOSECONDS.toMillis(all.get(i) - all.get(i - 1))).isGreaterThanOrEqualTo(60);
    }
    assertThat(NANOSECONDS.toMillis(all.get(all.size() - 1) - all.get(0)))
        .isGreaterThanOrEqualTo(480);
  }

  /**
   * Host a answers a0 first with {@code status}; a0 and a1 are fetched one call at a time, retried
   * after a fixed {@code backoff}. Returns what host a saw, once both succeeded.
   */
  private List<Script.Arrival> a0AnswersThenA0A1Fetched(
      ExecutionPolicy policy, int status, Duration backoff) {
    scriptA.then("/a0", Script.status(status));
    serve();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .perHost(HostLimits.of(RateLimit.unlimited(), 1))
                .retry(RetryPolicy.defaults().withBackoff(backoff, 1, backoff).withJitter(0))
                .build());

    List<Result> results = fetcher.fetchAll(List.of(url(a, "/a0"), url(a, "/a1"))).join();

    assertThat(results).allMatch(Result::isSuccess);
    assertThat(results.get(0).attempts()).isEqualTo(2);
    return scriptA.arrivals();
  }

  private void serve() {
    a.setDispatcher(scriptA);
    b.setDispatcher(scriptB);
    c.setDispatcher(scriptC);
  }

  /** a0, b0, c0, a1, b1, c1, ... */
  private List<String> interleaved(int perHost) {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < perHost; i++) {
      urls.add(url(a, "/a" + i));
      urls.add(url(b, "/b" + i));
      urls.add(url(c, "/c" + i));
    }
    return urls;
  }

  private static String url(MockWebServer server, String path) {
    return server.url(path).toString();
  }

  private static long lastMillis(Script script, long startNanos) {
    List<Script.Arrival> arrivals = script.arrivals();
    return NANOSECONDS.toMillis(arrivals.get(arrivals.size() - 1).nanos() - startNanos);
  }
}
