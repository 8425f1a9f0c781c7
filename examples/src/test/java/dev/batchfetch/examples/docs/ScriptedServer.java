package dev.batchfetch.examples.docs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local server that says "slow down" as real ones do, for the examples of the retries and hosts
 * pages. By path:
 *
 * <ul>
 *   <li>{@code /closed/...}: always {@code 429} with {@code Retry-After: 3600};
 *   <li>any other path: {@code 429} with {@code Retry-After: 1} the first time it is asked for,
 *       then {@code 200} with the path as its body, for any method.
 * </ul>
 *
 * <p>Counts the requests per path. Thread-safe; {@link #close()} stops it at once.
 */
final class ScriptedServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService handlers;
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

  private ScriptedServer(HttpServer server, ExecutorService handlers) {
    this.server = server;
    this.handlers = handlers;
  }

  static ScriptedServer start() throws IOException {
    System.setProperty("sun.net.httpserver.nodelay", "true"); // see IdServer
    InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    HttpServer http = HttpServer.create(new InetSocketAddress(loopback, 0), 64);
    ExecutorService handlers =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "scripted-server");
              thread.setDaemon(true);
              return thread;
            });
    ScriptedServer scripted = new ScriptedServer(http, handlers);
    http.createContext("/", scripted::handle);
    http.setExecutor(handlers);
    http.start();
    return scripted;
  }

  /** {@code http://127.0.0.1:PORT}, without a slash at the end. */
  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** How many requests arrived for {@code path}. */
  int requests(String path) {
    AtomicInteger count = requests.get(path);
    return count == null ? 0 : count.get();
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange;
        InputStream in = exchange.getRequestBody()) {
      in.readAllBytes();
      String path = exchange.getRequestURI().getPath();
      int count = requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      if (path.startsWith("/closed/")) {
        tooMany(exchange, 3600);
      } else if (count == 1) {
        tooMany(exchange, 1);
      } else {
        byte[] body = path.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  private static void tooMany(HttpExchange exchange, int seconds) throws IOException {
    exchange.getResponseHeaders().set("Retry-After", String.valueOf(seconds));
    exchange.sendResponseHeaders(429, -1);
  }
}
