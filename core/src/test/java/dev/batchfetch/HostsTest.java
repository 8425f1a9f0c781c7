package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many hosts at once, in virtual time: each its own limits and pauses, none holding up the others.
 * Hosts a.test, b.test and c.test answer after 10 ms unless a test says otherwise.
 */
@Timeout(30)
class HostsTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  private final Virtual virtual = new Virtual();
  private final FakeServer server = virtual.server.latency(Duration.ofMillis(10));

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aHostPausedByItsServerHoldsUpNoOtherHost(ExecutionPolicy policy) {
    server.then("a.test/a0", 429, "Retry-After", "2");
    // One call at a time per host, so that no call to a is already in flight when its 429 comes.
    BatchFetcher fetcher =
        leaks.track(
            server
                .builder()
                .policy(policy)
                .perHost(HostLimits.of(RateLimit.unlimited(), 1))
                .quotaDiscovery(false) // the pause alone; with discovery: QuotaDiscoveryTest
                .build());

    List<Result> results = run(fetcher.fetchAll(interleaved(5)));

    assertThat(results).allMatch(Result::isSuccess);
    // a0 was answered at 10 ms; host a then heard nothing until 2,010 ms: its other inputs waited
    // too, a0's retry first.
    assertThat(server.millisOf("a.test")).containsExactly(0L, 2010L, 2020L, 2030L, 2040L, 2050L);
    assertThat(server.keys())
        .filteredOn(k -> k.startsWith("a.test"))
        .element(1)
        .isEqualTo("a.test/a0");
    // Hosts b and c went on meanwhile: side by side, or taking turns under sequential.
    if (policy.width() == 1) {
      assertThat(server.millisOf("b.test")).containsExactly(10L, 30L, 50L, 70L, 90L);
      assertThat(server.millisOf("c.test")).containsExactly(20L, 40L, 60L, 80L, 100L);
    } else {
      assertThat(server.millisOf("b.test")).containsExactly(0L, 10L, 20L, 30L, 40L);
      assertThat(server.millisOf("c.test")).containsExactly(0L, 10L, 20L, 30L, 40L);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aTooManyRequestsWithoutRetryAfterHoldsTheHostForTheBackoff(ExecutionPolicy policy) {
    List<Long> arrivals = a0AnswersThenA0A1Fetched(policy, 429, Duration.ofMillis(400));

    // a1 did not go while a0 backed off: it would only have collected another 429.
    assertThat(server.keys()).containsExactly("a.test/a0", "a.test/a0", "a.test/a1");
    assertThat(arrivals).containsExactly(0L, 410L, 420L);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aBadGatewayWithoutRetryAfterHoldsOnlyItsOwnRetry(ExecutionPolicy policy) {
    List<Long> arrivals = a0AnswersThenA0A1Fetched(policy, 502, Duration.ofSeconds(2));

    // a1 went while a0 backed off: one bad upstream call says nothing of the host's quota.
    assertThat(server.keys()).containsExactly("a.test/a0", "a.test/a1", "a.test/a0");
    assertThat(arrivals).containsExactly(0L, 10L, 2010L);
  }

  @Test
  void aLaterShorterPauseNeverCutsALongerOneShort() {
    server
        .then("a.test/a0", FakeServer.reply(429, Duration.ofMillis(20), "Retry-After", "2"))
        .then("a.test/a1", FakeServer.reply(429, Duration.ofMillis(30), "Retry-After", "1"));
    BatchFetcher fetcher =
        leaks.track(
            server
                .builder()
                .policy(ExecutionPolicy.async(4))
                .perHost(HostLimits.of(RateLimit.unlimited(), 2))
                .quotaDiscovery(false) // the pauses alone, not the pace discovery would set
                .build());

    run(fetcher.fetchAll(List.of("http://a.test/a0", "http://a.test/a1", "http://a.test/a2")));

    // a0's answer at 20 ms paused the host until 2,020 ms; a1's at 30 ms asked only until 1,030.
    assertThat(server.millisOf("a.test")).containsExactly(0L, 0L, 2020L, 2020L, 2030L);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void failsAtOnceWhenTheServerAsksForMoreThanTheCap(ExecutionPolicy policy) {
    server.then("a.test/a0", 429, "Retry-After", "86400");
    BatchFetcher fetcher =
        leaks.track(
            server
                .builder()
                .policy(policy)
                .perHost(HostLimits.of(RateLimit.unlimited(), 1))
                .maxRetryAfter(Duration.ofMinutes(1))
                .build());

    List<Result> results =
        run(fetcher.fetchAll(List.of("http://a.test/a0", "http://a.test/a1", "http://b.test/b0")));

    assertThat(results.get(0).error()).isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(results.get(0).status()).isEqualTo(429);
    assertThat(results.get(0).attempts()).isEqualTo(1);
    // The host's next input is not sent to a server that asked for a day's rest.
    assertThat(results.get(1).error()).isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(results.get(1).attempts()).isZero();
    assertThat(results.get(1).exception()).hasMessageContaining("maxRetryAfter");
    assertThat(results.get(2).isSuccess()).isTrue();
    assertThat(server.keys()).containsExactly("a.test/a0", "b.test/b0");
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#concurrent")
  void eachHostKeepsToItsOwnRate(ExecutionPolicy policy) {
    BatchFetcher fetcher =
        leaks.track(
            server
                .builder()
                .policy(policy)
                .perHost(HostLimits.of(RateLimit.perSecond(10)))
                .build());

    run(fetcher.fetchAll(interleaved(4)));

    // Each host 100 ms apart, and the hosts side by side: none waited for another's permits.
    for (String host : List.of("a.test", "b.test", "c.test")) {
      assertThat(server.millisOf(host)).containsExactly(0L, 100L, 200L, 300L);
    }
  }

  @Test
  void aNamedHostGetsItsOwnLimits() {
    server.hold();
    BatchFetcher fetcher =
        leaks.track(
            server
                .builder()
                .policy(ExecutionPolicy.async(16))
                .host("a.test", HostLimits.of(RateLimit.unlimited(), 2))
                .build());
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      urls.add("http://a.test/a" + i);
      urls.add("http://b.test/b" + i);
    }

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(urls);
    virtual.advanceMillis(1_000);

    // a: at most two at once, b: all six went
    assertThat(server.keys()).filteredOn(k -> k.startsWith("a.test")).hasSize(2);
    assertThat(server.keys()).filteredOn(k -> k.startsWith("b.test")).hasSize(6);
    server.release();
    assertThat(run(batch)).allMatch(Result::isSuccess);
    assertThat(server.keys()).hasSize(12);
  }

  @Test
  void aGlobalLimitSpansAllHosts() {
    BatchFetcher fetcher =
        leaks.track(
            server
                .builder()
                .policy(ExecutionPolicy.async(16))
                .rateLimit(RateLimit.perSecond(10))
                .perHost(HostLimits.of(RateLimit.perSecond(100)))
                .build());

    run(fetcher.fetchAll(interleaved(2)));

    // The hosts' own 100 a second would let them go 10 ms apart; the global 10 a second spaces
    // every call 100 ms from the one before, whatever its host.
    assertThat(server.millisOf("")).containsExactly(0L, 100L, 200L, 300L, 400L, 500L);
    assertThat(server.keys())
        .containsExactly(
            "a.test/a0", "b.test/b0", "c.test/c0", "a.test/a1", "b.test/b1", "c.test/c1");
  }

  /**
   * Host a answers a0 first with {@code status}; a0 and a1 are fetched one call at a time, retried
   * after a fixed {@code backoff}, answered at once. Returns when host a saw each request, in ms.
   */
  private List<Long> a0AnswersThenA0A1Fetched(
      ExecutionPolicy policy, int status, Duration backoff) {
    server.latency(Duration.ofMillis(10)).then("a.test/a0", status);
    BatchFetcher fetcher =
        leaks.track(
            server
                .builder()
                .policy(policy)
                .perHost(HostLimits.of(RateLimit.unlimited(), 1))
                .retry(RetryPolicy.defaults().withBackoff(backoff, 1, backoff).withJitter(0))
                .quotaDiscovery(false) // with discovery, a 429 sets a pace instead: see
                // QuotaDiscoveryTest
                .build());

    List<Result> results = run(fetcher.fetchAll(List.of("http://a.test/a0", "http://a.test/a1")));

    assertThat(results).allMatch(Result::isSuccess);
    assertThat(results.get(0).attempts()).isEqualTo(2);
    return server.millisOf("a.test");
  }

  private <T> T run(CompletableFuture<T> batch) {
    return virtual.run(batch);
  }

  /** a0, b0, c0, a1, b1, c1, ... */
  private static List<String> interleaved(int perHost) {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < perHost; i++) {
      urls.add("http://a.test/a" + i);
      urls.add("http://b.test/b" + i);
      urls.add("http://c.test/c" + i);
    }
    return urls;
  }
}
