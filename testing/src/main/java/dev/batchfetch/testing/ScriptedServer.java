package dev.batchfetch.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An HTTP server on a free loopback port that answers 200 at once, except the replies scripted for
 * a path, and records when each request arrived and for which path: to see which caller was told
 * what, and when the others came. Free of JUnit.
 *
 * <pre>{@code
 * try (ScriptedServer server = ScriptedServer.start()) {
 *   server.then("/told", 429, "Retry-After", "2"); // the next request for /told only
 *   fetch(server.url("/told"));
 *   server.arrivals(); // [Arrival[millis=3, path=/told, status=429]]
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ScriptedServer implements AutoCloseable {
  /** A request: milliseconds from the server's start, its path, the status it was answered. */
  public record Arrival(long millis, String path, int status) {}

  private record Reply(int status, List<String> headers) {}

  private final HttpServer http;
  private final long origin = System.nanoTime();
  private final Map<String, Queue<Reply>> scripts = new ConcurrentHashMap<>();
  private final List<Arrival> arrivals = new ArrayList<>();

  private ScriptedServer(HttpServer http) {
    this.http = http;
  }

  /**
   * Starts a server.
   *
   * @throws IOException if no loopback port can be bound
   */
  public static ScriptedServer start() throws IOException {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    ScriptedServer server = new ScriptedServer(http);
    http.createContext("/", server::handle);
    http.start();
    return server;
  }

  /** Answers the next request for {@code path} with {@code status} and the headers, name, value. */
  public ScriptedServer then(String path, int status, String... headers) {
    scripts.computeIfAbsent(path, p -> new ArrayDeque<>()).add(new Reply(status, List.of(headers)));
    return this;
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  public String url(String path) {
    return "http://" + http.getAddress().getHostString() + ":" + http.getAddress().getPort() + path;
  }

  /** Every request so far, in the order they arrived: a copy. */
  public List<Arrival> arrivals() {
    synchronized (arrivals) {
      return List.copyOf(arrivals);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      long millis = (System.nanoTime() - origin) / 1_000_000;
      String path = exchange.getRequestURI().getPath();
      exchange.getRequestBody().readAllBytes();
      Queue<Reply> script = scripts.get(path);
      Reply reply;
      synchronized (this) {
        reply = script == null ? null : script.poll();
      }
      int status = reply == null ? 200 : reply.status();
      if (reply != null) {
        for (int i = 0; i + 1 < reply.headers().size(); i += 2) {
          exchange.getResponseHeaders().add(reply.headers().get(i), reply.headers().get(i + 1));
        }
      }
      synchronized (arrivals) {
        arrivals.add(new Arrival(millis, path, status));
      }
      exchange.sendResponseHeaders(status, -1);
    }
  }

  /** Stops the server and frees its port. */
  @Override
  public void close() {
    http.stop(0);
  }
}
