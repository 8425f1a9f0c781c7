package dev.batchfetch.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.FetchListener;
import dev.batchfetch.Result;
import dev.batchfetch.RetryPolicy;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The meters of a batch with faults, read from a {@link SimpleMeterRegistry}. */
@Timeout(30)
class BatchFetcherMetricsTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  private final MeterRegistry registry = new SimpleMeterRegistry();

  static Stream<ExecutionPolicy> policies() {
    return Stream.of(
        ExecutionPolicy.sequential(), ExecutionPolicy.pool(4), ExecutionPolicy.async(16));
  }

  /** Answers each path's script in turn, then 200. */
  private static final class Scripted extends Dispatcher {
    private final Map<String, List<Integer>> scripts;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    Scripted(Map<String, List<Integer>> scripts) {
      this.scripts = scripts;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getUrl().encodedPath();
      int call = calls.computeIfAbsent(path, p -> new AtomicInteger()).getAndIncrement();
      List<Integer> script = scripts.getOrDefault(path, List.of());
      int status = call < script.size() ? script.get(call) : 200;
      return new MockResponse.Builder().code(status).body("x").build();
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private double count(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  @ParameterizedTest
  @MethodSource("policies")
  void aBatchWithFaultsIsCountedByStatusClassErrorKindAndHost(ExecutionPolicy policy)
      throws IOException {
    server.setDispatcher(
        new Scripted(
            Map.of("/too-many", List.of(429), "/unavailable", List.of(503), "/bug", List.of(500))));
    String host = server.getHostName() + ":" + server.getPort();
    String refused = "127.0.0.1:" + closedPort();
    BatchFetcherMetrics metrics = BatchFetcherMetrics.builder(registry).hostTags(10).build();
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .policy(policy)
            .retry(
                RetryPolicy.defaults()
                    .withBackoff(Duration.ofMillis(10), 2.0, Duration.ofMillis(50)))
            .eventListener(metrics)
            .build()) {
      results =
          fetcher
              .fetchAll(
                  List.of(
                      server.url("/too-many").toString(),
                      server.url("/unavailable").toString(),
                      server.url("/bug").toString(),
                      server.url("/ok").toString(),
                      "http://" + refused + "/",
                      "not a url"))
              .join();
      await().atMost(Duration.ofSeconds(10)).until(() -> requests() == 6);
    }

    assertThat(results).extracting(Result::status).containsExactly(200, 200, 500, 200, 0, 0);
    assertThat(count("batchfetch.requests", "status", "2xx", "error", "none")).isEqualTo(3);
    assertThat(count("batchfetch.requests", "status", "5xx", "error", "http_status")).isEqualTo(1);
    assertThat(count("batchfetch.requests", "status", "none", "error", "connect")).isEqualTo(1);
    assertThat(count("batchfetch.requests", "status", "none", "error", "invalid_url")).isEqualTo(1);
    assertThat(count("batchfetch.attempts", "host", host, "status", "2xx", "error", "none"))
        .isEqualTo(3);
    assertThat(count("batchfetch.attempts", "host", host, "status", "4xx", "error", "http_status"))
        .isEqualTo(1);
    assertThat(count("batchfetch.attempts", "host", host, "status", "5xx", "error", "http_status"))
        .isEqualTo(2);
    assertThat(count("batchfetch.attempts", "host", refused, "status", "none", "error", "connect"))
        .isEqualTo(3);
    assertThat(count("batchfetch.too.many.requests", "host", host)).isEqualTo(1);
    assertThat(count("batchfetch.retries", "host", host, "reason", "backoff")).isEqualTo(2);
    assertThat(count("batchfetch.retries", "host", refused, "reason", "backoff")).isEqualTo(2);
    // The 429 and the 503 each hold the host for its backoff; when they end together, the second
    // hold ends no later than the first, lengthens nothing, and is no pause of its own.
    assertThat(count("batchfetch.pauses", "host", host, "reason", "backoff")).isBetween(1.0, 2.0);
    assertThat(
            registry.get("batchfetch.call.duration").tags("host", host).timers().stream()
                .map(timer -> timer.count()))
        .containsExactlyInAnyOrder(3L, 1L, 2L);
    assertThat(registry.get("batchfetch.calls.in.flight").gauge().value()).isZero();
    assertThat(registry.get("batchfetch.batches.running").gauge().value()).isZero();
  }

  private double requests() {
    return registry.find("batchfetch.requests").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  @Test
  void waitsForPermitsAreTimedByLimiter() {
    server.setDispatcher(new Scripted(Map.of()));
    List<String> urls =
        Stream.of("/a", "/b", "/c", "/d", "/e").map(p -> server.url(p).toString()).toList();
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .rateLimit(dev.batchfetch.RateLimit.perSecond(10))
            .eventListener(BatchFetcherMetrics.of(registry))
            .build()) {
      fetcher.fetchAll(urls).join();
      await().atMost(Duration.ofSeconds(10)).until(() -> requests() == 5);
    }

    // Five calls at 10 a second: the last starts 400 ms after the first, so some waited.
    RequiredSearch waits = registry.get("batchfetch.permit.wait").tags("limiter", "global");
    assertThat(waits.timer().count()).isBetween(1L, 4L);
    assertThat(waits.timer().max(java.util.concurrent.TimeUnit.MILLISECONDS)).isBetween(1.0, 450.0);
    assertThat(waits.timer().getId().getTag("host")).isEqualTo("all");
  }

  @Test
  void aHundredThousandHostsMakeAtMostTheCapPlusOtherSeries() {
    BatchFetcherMetrics metrics = BatchFetcherMetrics.builder(registry).hostTags(50).build();

    for (int i = 0; i < 100_000; i++) {
      String host = "h" + i + ".test:80";
      metrics.attemptStarted(
          new FetchListener.AttemptStarted(
              "f", 1, i, "http://" + host + "/", host, 1, Duration.ZERO));
      metrics.attemptEnded(
          new FetchListener.AttemptEnded(
              "f",
              1,
              i,
              "http://" + host + "/",
              host,
              1,
              429,
              dev.batchfetch.ErrorKind.HTTP_STATUS,
              null,
              Duration.ofMillis(3),
              1));
    }

    Set<String> hosts =
        registry.getMeters().stream()
            .map(Meter::getId)
            .map(id -> id.getTag("host"))
            .filter(java.util.Objects::nonNull)
            .collect(Collectors.toSet());
    assertThat(hosts).hasSize(51).contains("other", "h0.test:80", "h49.test:80");
    assertThat(count("batchfetch.too.many.requests", "host", "other")).isEqualTo(100_000 - 50);
    assertThat(registry.getMeters()).hasSizeLessThan(4 + 3 * 51 + 10);
  }

  @Test
  void aRateTheServerAnnouncedIsAGaugeOfItsHost() {
    BatchFetcherMetrics metrics = BatchFetcherMetrics.builder(registry).hostTags(5).build();

    metrics.rateChanged(
        new FetchListener.RateChanged(
            "f",
            "a.test:80",
            dev.batchfetch.RateLimit.perSecond(10),
            dev.batchfetch.RateLimit.perMinute(300),
            FetchListener.RateReason.SERVER_QUOTA));

    assertThat(registry.get("batchfetch.host.rate").tags("host", "a.test:80").gauge().value())
        .isEqualTo(5.0);
  }
}
