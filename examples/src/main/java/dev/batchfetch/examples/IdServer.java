package dev.batchfetch.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * A small HTTP server on a free loopback port that answers {@code GET /id/{n}} with the number
 * {@code n} as {@code text/plain}, after an optional delay that stands in for a real server's work.
 *
 * <pre>{@code
 * try (IdServer server = IdServer.start(Duration.ofMillis(5))) {
 *   List<Result> results = BatchFetcher.async(64).fetchAll(server.urls(100)).join();
 * }
 * }</pre>
 *
 * <p>Each request is handled on its own thread of a cached pool of daemon threads, so requests wait
 * out their delays side by side, as on a real server: a client with 64 calls in flight gets 64
 * answers after one delay, not after 64. Any other path answers 404.
 *
 * <p>Run on its own, it serves until stopped, for trying the command-line fetcher by hand:
 *
 * <pre>{@code
 * java -cp examples/target/batchfetch-cli.jar dev.batchfetch.examples.IdServer 8080 5
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops the server at once.
 */
public final class IdServer implements AutoCloseable {
  private static final Pattern ID_PATH = Pattern.compile("/id/(\\d{1,9})");
  private static final int BACKLOG = 1024;

  /**
   * The JDK server writes a response's headers and its body separately; with Nagle's algorithm on,
   * the body then waits for the client's delayed ACK of the headers, about 40 ms on Linux, which
   * would make every exchange take 40 ms. Real servers set TCP_NODELAY; so does this one. The JDK
   * reads the property once, when the first server of the JVM starts.
   */
  private static final String NO_DELAY = "sun.net.httpserver.nodelay";

  private final HttpServer server;
  private final ExecutorService handlers;
  private final Duration delay;

  private IdServer(HttpServer server, ExecutorService handlers, Duration delay) {
    this.server = server;
    this.handlers = handlers;
    this.delay = delay;
  }

  /**
   * Starts a server on {@code 127.0.0.1} and a free port.
   *
   * @param delay how long each response waits before it is sent; zero for none
   * @throws NullPointerException if {@code delay} is null
   * @throws IllegalArgumentException if {@code delay} is negative
   * @throws IOException if the server cannot bind
   */
  public static IdServer start(Duration delay) throws IOException {
    return start(0, delay);
  }

  /**
   * Starts a server on {@code 127.0.0.1} and {@code port}.
   *
   * @param port the port, or 0 for a free one
   * @param delay how long each response waits before it is sent; zero for none
   * @throws NullPointerException if {@code delay} is null
   * @throws IllegalArgumentException if {@code delay} is negative or {@code port} out of range
   * @throws IOException if the server cannot bind
   */
  public static IdServer start(int port, Duration delay) throws IOException {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    if (System.getProperty(NO_DELAY) == null) {
      System.setProperty(NO_DELAY, "true");
    }
    InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    HttpServer http = HttpServer.create(new InetSocketAddress(loopback, port), BACKLOG);
    ExecutorService handlers = Executors.newCachedThreadPool(daemonThreads());
    IdServer idServer = new IdServer(http, handlers, delay);
    http.createContext("/", idServer::handle);
    http.setExecutor(handlers);
    http.start();
    return idServer;
  }

  /**
   * Serves on {@code 127.0.0.1} until the process is stopped: {@code [port [delay-ms]]}, by default
   * a free port and 5 ms per response.
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    Duration delay = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 5);
    try (IdServer server = start(port, delay)) {
      System.out.printf(
          Locale.ROOT,
          "Serving %s (%d ms per response); any other path answers 404. Ctrl-C stops it.%n",
          server.url(0).replaceFirst("0$", "{n}"),
          delay.toMillis());
      new CountDownLatch(1).await(); // until the process is stopped
    }
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The URL that answers {@code id}: {@code http://127.0.0.1:PORT/id/ID}. */
  public String url(int id) {
    return "http://127.0.0.1:" + port() + "/id/" + id;
  }

  /** The URLs of ids {@code 0} to {@code count - 1}, in order. */
  public List<String> urls(int count) {
    return IntStream.range(0, count).mapToObj(this::url).toList();
  }

  /** The delay before each response. */
  public Duration delay() {
    return delay;
  }

  /** Stops the server: open connections are closed and its threads end. */
  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Matcher id = ID_PATH.matcher(exchange.getRequestURI().getPath());
      if (!"GET".equals(exchange.getRequestMethod()) || !id.matches()) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      if (!pause()) {
        exchange.sendResponseHeaders(503, -1);
        return;
      }
      String number = String.valueOf(Integer.parseInt(id.group(1)));
      byte[] body = number.getBytes(StandardCharsets.US_ASCII);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=us-ascii");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Waits out the delay on this request's own thread; false if interrupted by {@link #close}. */
  private boolean pause() {
    if (delay.isZero()) {
      return true;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(delay.toNanos());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "id-server-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
