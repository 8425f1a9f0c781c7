package dev.batchfetch.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP server on a free loopback port that enforces a {@link QuotaModel} (a token bucket or a
 * fixed window, with or without quota headers and {@code Retry-After}) and answers every request
 * after a fixed latency: the servers of quota discovery's acceptance runs and of the benchmarks'
 * "unknown quota" workload. Free of JUnit, so that both can use it.
 *
 * <pre>{@code
 * try (QuotaServer server =
 *     QuotaServer.start(new QuotaModel.TokenBucket(10, 20, false, false), Duration.ofMillis(500))) {
 *   fetch(server.url("/id/1"));
 *   server.arrivals(); // requests that reached the model
 *   server.refused();  // of them, answered 429
 * }
 * }</pre>
 *
 * <p>The JDK's {@code com.sun.net.httpserver} reads requests on one dispatcher thread, which asks
 * the model at once (so a request is counted, and charged to the quota, when it arrives); the
 * answer is written {@code latency} later by a single scheduler thread. A waiting answer costs no
 * thread: hundreds of connections held for half a second need two threads in all.
 *
 * <p>Thread-safe: the counters may be read from any thread while the server runs.
 */
public final class QuotaServer implements AutoCloseable {
  private final HttpServer http;
  private final ScheduledExecutorService answers;
  private final QuotaModel model;
  private final long latencyNanos;
  private final long origin = System.nanoTime();
  private final AtomicLong arrivals = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong firstArrival = new AtomicLong(Long.MIN_VALUE);
  private final List<Arrival> log = Collections.synchronizedList(new ArrayList<>());

  /**
   * One request the model answered: when it arrived (nanoseconds from the server's start) and its
   * status.
   */
  public record Arrival(long nanos, int status) {}

  /** The most arrivals {@link #log()} keeps: a minute at 10,000 a second. */
  private static final int LOG_CAPACITY = 600_000;

  private QuotaServer(HttpServer http, QuotaModel model, Duration latency) {
    this.http = http;
    this.model = model;
    this.latencyNanos = latency.toNanos();
    this.answers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "quota-server-answers");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts a server for {@code model} that answers each request {@code latency} after it arrives.
   *
   * @throws IOException if no loopback port can be bound
   * @throws IllegalArgumentException if {@code latency} is negative
   */
  public static QuotaServer start(QuotaModel model, Duration latency) throws IOException {
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative, was " + latency);
    }
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    QuotaServer server = new QuotaServer(http, model, latency);
    http.createContext("/", server::handle);
    http.setExecutor(null); // the dispatcher thread asks the model: arrivals in order, no lock
    http.start();
    return server;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  public URI url(String path) {
    return URI.create("http://" + http.getAddress().getHostString() + ":" + port() + path);
  }

  /** Requests that reached the model so far. */
  public long arrivals() {
    return arrivals.get();
  }

  /** Of {@link #arrivals()}, those answered 429. */
  public long refused() {
    return refused.get();
  }

  /** Every arrival the model answered so far, in order (at most the first 600,000): a copy. */
  public List<Arrival> log() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  /** Nanoseconds from the server's start to the first arrival, or -1 before any. */
  public long firstArrivalNanos() {
    long first = firstArrival.get();
    return first == Long.MIN_VALUE ? -1 : first;
  }

  private void handle(HttpExchange exchange) throws IOException {
    long at = System.nanoTime() - origin;
    firstArrival.compareAndSet(Long.MIN_VALUE, at);
    exchange.getRequestBody().readAllBytes();
    if (exchange.getRequestURI().getPath().equals("/ready")) {
      answer(exchange, new QuotaModel.Reply(204, Map.of()));
      return;
    }
    QuotaModel.Reply reply = model.answer(at);
    if (log.size() < LOG_CAPACITY) {
      log.add(new Arrival(at, reply.status()));
    }
    arrivals.incrementAndGet();
    if (reply.status() == 429) {
      refused.incrementAndGet();
    }
    Future<?> unused =
        answers.schedule(() -> answer(exchange, reply), latencyNanos, TimeUnit.NANOSECONDS);
  }

  private static void answer(HttpExchange exchange, QuotaModel.Reply reply) {
    try (exchange) {
      for (Map.Entry<String, List<String>> field : reply.headers().entrySet()) {
        exchange.getResponseHeaders().put(field.getKey(), field.getValue());
      }
      byte[] body =
          reply.status() == 204
              ? new byte[0]
              : (reply.status() + "\n").getBytes(StandardCharsets.US_ASCII);
      exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (IOException e) {
      // The client went away; the arrival is counted all the same.
    }
  }

  /** Stops accepting, drops the answers still waiting, and frees the port. */
  @Override
  public void close() {
    answers.shutdownNow();
    http.stop(0);
  }

  @Override
  public String toString() {
    return "QuotaServer{" + model + ", port " + port() + "}";
  }
}
