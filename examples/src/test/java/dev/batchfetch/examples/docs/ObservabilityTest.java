package dev.batchfetch.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.Result;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** docs/observability.md's examples: a Prometheus endpoint scraped, spans of each attempt. */
@Timeout(60)
class ObservabilityTest {
  @RegisterExtension static final OpenTelemetryExtension otel = OpenTelemetryExtension.create();

  private final MockWebServer server = new MockWebServer();

  /** 429 (with Retry-After: 1) and 503 the first time, 500 always, else 200. */
  private static final class Faults extends Dispatcher {
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getUrl().encodedPath();
      int call = calls.computeIfAbsent(path, p -> new AtomicInteger()).getAndIncrement();
      int status =
          switch (path) {
            case "/too-many" -> call == 0 ? 429 : 200;
            case "/unavailable" -> call == 0 ? 503 : 200;
            case "/broken" -> 500;
            default -> 200;
          };
      MockResponse.Builder response = new MockResponse.Builder().code(status);
      if (status == 429) {
        response.setHeader("Retry-After", "1");
      }
      return response.body("body of " + path).build();
    }
  }

  @BeforeEach
  void start() throws IOException {
    server.setDispatcher(new Faults());
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void theMetersOfABatchWithFaultsAreScrapedFromThePrometheusEndpoint() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    List<String> urls =
        List.of(
            server.url("/too-many").toString(),
            server.url("/unavailable").toString(),
            server.url("/broken").toString(),
            server.url("/fine").toString(),
            "http://127.0.0.1:" + closedPort() + "/refused",
            "not a url");
    try (BatchFetcher fetcher = Observability.metered(registry)) {
      fetcher.fetchAll(urls).join();
    }
    HttpServer endpoint = Observability.serve(registry, 0);
    String scrape;
    try {
      OkHttpClient client = new OkHttpClient();
      Request get =
          new Request.Builder()
              .url("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/metrics")
              .build();
      // The listener hears the last events a moment after the batch: scrape until they are in.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      do {
        try (Response response = client.newCall(get).execute()) {
          assertThat(response.code()).isEqualTo(200);
          scrape = response.body().string();
        }
      } while (!scrape.contains("error=\"invalid_url\"") && System.nanoTime() < deadline);
      client.connectionPool().evictAll();
      client.dispatcher().executorService().shutdown();
    } finally {
      endpoint.stop(0);
    }
    System.out.println(scrape); // the sample in the report

    String host = "host=\"" + server.getHostName() + ":" + server.getPort() + "\"";
    assertThat(scrape)
        .contains(
            "batchfetch_requests_total{client=\"catalog\",error=\"none\",status=\"2xx\"} 3.0",
            "batchfetch_requests_total{client=\"catalog\",error=\"http_status\",status=\"5xx\"} 1.0",
            "batchfetch_requests_total{client=\"catalog\",error=\"connect\",status=\"none\"} 1.0",
            "batchfetch_requests_total{client=\"catalog\",error=\"invalid_url\",status=\"none\"} 1.0",
            "batchfetch_too_many_requests_total{client=\"catalog\"," + host + "} 1.0",
            "batchfetch_calls_in_flight{client=\"catalog\"} 0.0",
            "batchfetch_call_duration_seconds_count{client=\"catalog\",error=\"none\"," + host)
        .contains(
            "batchfetch_retries_total{client=\"catalog\"," + host + ",reason=\"backoff\"} 1.0",
            "batchfetch_retries_total{client=\"catalog\"," + host + ",reason=\"retry-after\"} 1.0",
            "batchfetch_pauses_total{client=\"catalog\"," + host + ",reason=\"retry-after\"} 1.0");
  }

  @Test
  void eachAttemptIsASpanUnderTheSpanOfTheCallerOfFetchAll() {
    for (ExecutionPolicy policy :
        List.of(ExecutionPolicy.sequential(), ExecutionPolicy.pool(4), ExecutionPolicy.async(16))) {
      otel.clearSpans();
      server.setDispatcher(new Faults()); // the 503 again, for each policy
      List<String> urls =
          List.of(server.url("/unavailable").toString(), server.url("/fine").toString());

      List<Result> results = Observability.traced(otel.getOpenTelemetry(), urls);

      assertThat(results).as("%s", policy).allMatch(Result::isSuccess);
      List<SpanData> spans = otel.getSpans();
      SpanData batch =
          spans.stream()
              .filter(s -> s.getName().equals("import catalog"))
              .findFirst()
              .orElseThrow();
      List<SpanData> attempts = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
      // /unavailable twice (a 503, then its retry), /fine once: three attempts, three spans.
      assertThat(attempts).as("%s", policy).hasSize(3);
      assertThat(attempts)
          .allSatisfy(
              span -> {
                assertThat(span.getTraceId()).isEqualTo(batch.getTraceId());
                assertThat(span.getParentSpanId()).isEqualTo(batch.getSpanId());
              });
      assertThat(
              attempts.stream()
                  .collect(
                      Collectors.groupingBy(
                          s ->
                              String.valueOf(
                                  s.getAttributes().asMap().entrySet().stream()
                                      .filter(
                                          e ->
                                              e.getKey()
                                                  .getKey()
                                                  .equals("http.response.status_code"))
                                      .map(Map.Entry::getValue)
                                      .findFirst()
                                      .orElse("none")),
                          Collectors.counting())))
          .isEqualTo(Map.of("503", 1L, "200", 2L));
    }
  }
}
