package dev.batchfetch.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The summary's lines per host, and the meters of {@code --metrics}. */
@Timeout(60)
class CliObservabilityTest {
  @TempDir Path dir;

  /** A server that answers 429 with Retry-After: 1, then ok twice. */
  private static MockWebServer busy() throws IOException {
    MockWebServer busy = new MockWebServer();
    busy.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "1").build());
    busy.enqueue(new MockResponse.Builder().body("ok").build());
    busy.enqueue(new MockResponse.Builder().body("ok").build());
    busy.start();
    return busy;
  }

  @Test
  void theSummarySaysPerHostItsRequests429sPausesAndRate() throws IOException {
    try (MockWebServer busy = busy()) {
      HttpUrl url = busy.url("/busy");

      CliRun run =
          CliRun.of(
              url + "\n" + url + "\n", "--sequential", "--retries", "2", "--per-host-rate", "5/s");

      assertThat(run.status()).isEqualTo(FetchCli.SUCCESS);
      // Quota discovery (the default) heard the 429 and paced the host below the configured 5/s.
      String host = "  " + url.host() + ":" + url.port();
      assertThat(run.err().lines().toList())
          .anyMatch(
              line ->
                  line.startsWith(host + ": 3 requests, 1 × 429, 1 pause, rate ")
                      && line.matches(".*, rate \\d+(\\.\\d+)?/s \\(learned\\)"));
    }
  }

  @Test
  void withoutDiscoveryTheSummarySaysTheConfiguredRate() throws IOException {
    try (MockWebServer busy = busy()) {
      HttpUrl url = busy.url("/busy");

      CliRun run =
          CliRun.of(
              url + "\n" + url + "\n",
              "--sequential",
              "--retries",
              "2",
              "--per-host-rate",
              "5/s",
              "--no-quota-discovery");

      assertThat(run.status()).isEqualTo(FetchCli.SUCCESS);
      assertThat(run.err().lines().toList())
          .contains(
              "  "
                  + url.host()
                  + ":"
                  + url.port()
                  + ": 3 requests, 1 × 429, 1 pause, rate 5/s (configured)");
    }
  }

  @Test
  void metricsWritesTheMetersInPrometheusTextAtTheEnd() throws IOException {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().code(500).build());
      server.start();
      Path metrics = dir.resolve("batch.prom");

      CliRun run =
          CliRun.of(
              server.url("/x") + "\nnot a url\n", "--no-retry", "--metrics", metrics.toString());

      assertThat(run.status()).isEqualTo(FetchCli.SOME_FAILED);
      assertThat(Files.readString(metrics, StandardCharsets.UTF_8))
          .contains("# TYPE batchfetch_requests_total counter")
          .contains("batchfetch_requests_total{error=\"http_status\",status=\"5xx\"} 1.0")
          .contains("batchfetch_requests_total{error=\"invalid_url\",status=\"none\"} 1.0");
    }
  }
}
