package dev.batchfetch.examples.docs;

import com.sun.net.httpserver.HttpServer;
import dev.batchfetch.BatchFetcher;
import dev.batchfetch.FetchListener;
import dev.batchfetch.Result;
import dev.batchfetch.micrometer.BatchFetcherMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.okhttp.v3_0.OkHttpTelemetry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The snippets of {@code docs/observability.md}. Stateless. */
public final class Observability {
  private Observability() {}

  // [START listener]
  /** Counts each host's 429s, and says when a server pauses a host for ten seconds or more. */
  public static final class TooManyRequestsByHost extends FetchListener {
    private final Map<String, Long> tooMany = new ConcurrentHashMap<>(); // read by other threads

    @Override
    public void attemptEnded(AttemptEnded event) {
      if (event.status() == 429) {
        tooMany.merge(event.host(), 1L, Long::sum);
      }
    }

    @Override
    public void hostPaused(HostPaused event) {
      if (event.pause().compareTo(Duration.ofSeconds(10)) >= 0) {
        System.err.printf("%s asked for %s (%s)%n", event.host(), event.pause(), event.reason());
      }
    }

    /** The 429s of each host so far. */
    public Map<String, Long> counts() {
      return Map.copyOf(tooMany);
    }
  }

  // [END listener]

  /** A fetcher whose events {@code listener} hears; the caller closes it. */
  public static BatchFetcher listened(TooManyRequestsByHost listener) {
    // [START listen]
    BatchFetcher fetcher = BatchFetcher.builder().eventListener(listener).build();
    // [END listen]
    return fetcher;
  }

  /** A fetcher whose meters go to {@code registry}; the caller closes it. */
  public static BatchFetcher metered(MeterRegistry registry) {
    // [START micrometer]
    BatchFetcher fetcher =
        BatchFetcher.builder()
            .eventListener(
                BatchFetcherMetrics.builder(registry)
                    .tags(Tags.of("client", "catalog")) // on every meter
                    .hostTags(100) // the first 100 hosts by name, the others as "other"
                    .build())
            .build();
    // [END micrometer]
    return fetcher;
  }

  /**
   * Serves {@code registry}'s meters at {@code http://127.0.0.1:PORT/metrics} for Prometheus to
   * scrape; {@code port} 0 picks a free one. The caller stops the server.
   */
  public static HttpServer serve(PrometheusMeterRegistry registry, int port) throws IOException {
    // [START prometheus]
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] page = registry.scrape().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, page.length);
          try (OutputStream body = exchange.getResponseBody()) {
            body.write(page);
          }
        });
    server.start();
    // [END prometheus]
    return server;
  }

  /**
   * Fetches {@code urls} within a span of its own, each attempt a span of OkHttp's instrumentation
   * under it.
   */
  public static List<Result> traced(OpenTelemetry openTelemetry, List<String> urls) {
    // [START tracing]
    OkHttpTelemetry telemetry = OkHttpTelemetry.builder(openTelemetry).build();
    Tracer tracer = openTelemetry.getTracer("catalog-import");
    List<Result> results;
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .callFactory(telemetry::createCallFactory) // a span per attempt
            .callContext(executor -> Context.current().wrap(executor)) // under fetchAll's span
            .build()) {
      Span batch = tracer.spanBuilder("import catalog").startSpan();
      Scope scope = batch.makeCurrent();
      try {
        results = fetcher.fetchAll(urls).join();
      } finally {
        scope.close();
        batch.end();
      }
    }
    // [END tracing]
    return results;
  }
}
