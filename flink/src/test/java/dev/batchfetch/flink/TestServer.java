package dev.batchfetch.flink;

import static java.nio.charset.StandardCharsets.US_ASCII;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback server for the function's own tests: {@code /ok/<n>} answers 200 with {@code n},
 * {@code /held} answers only once {@link #release()} is called (or the test ends), {@code
 * /slow/<n>} answers after {@code n} ms.
 */
final class TestServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(16);
  private final CountDownLatch held = new CountDownLatch(1);
  private final AtomicInteger heldArrivals = new AtomicInteger();

  TestServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
    server.createContext("/ok/", exchange -> answer(exchange, lastSegment(exchange)));
    server.createContext(
        "/held",
        exchange -> {
          heldArrivals.incrementAndGet();
          await(held, 30_000);
          answer(exchange, "released");
        });
    server.createContext(
        "/slow/",
        exchange -> {
          String n = lastSegment(exchange);
          await(new CountDownLatch(1), Long.parseLong(n)); // the response time asked for
          answer(exchange, n);
        });
    server.setExecutor(executor);
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  int heldArrivals() {
    return heldArrivals.get();
  }

  void release() {
    held.countDown();
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    executor.shutdownNow();
  }

  private static String lastSegment(HttpExchange exchange) {
    String path = exchange.getRequestURI().getPath();
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static void await(CountDownLatch latch, long millis) {
    try {
      latch.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void answer(HttpExchange exchange, String text) throws IOException {
    byte[] body = text.getBytes(US_ASCII);
    try {
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (IOException e) {
      // The client went away (a cancelled call): nothing to answer.
    } finally {
      exchange.close();
    }
  }
}
