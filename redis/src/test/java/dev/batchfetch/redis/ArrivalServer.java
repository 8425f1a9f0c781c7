package dev.batchfetch.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A local HTTP server that answers 200 to {@code /id/<n>} and records when each request arrived, to
 * hold the callers to a quota: {@link #figures} counts the arrivals in every window of a given
 * length. {@code /warmup} is answered and not counted.
 */
final class ArrivalServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(16);
  private final ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
  private final List<CountDownLatch> latches = new CopyOnWriteArrayList<>();

  private ArrivalServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
    server.createContext("/id/", exchange -> answer(exchange, true));
    server.createContext("/warmup", exchange -> answer(exchange, false));
    server.setExecutor(executor);
    server.start();
  }

  static ArrivalServer start() throws IOException {
    return new ArrivalServer();
  }

  /** {@code http://127.0.0.1:<port>}. */
  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The URLs {@code /id/from} to {@code /id/(from+count-1)}. */
  List<String> urls(int from, int count) {
    List<String> urls = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      urls.add(base() + "/id/" + i);
    }
    return urls;
  }

  /** A latch counted down by each arrival from now on: open after {@code count} of them. */
  CountDownLatch latchAfter(int count) {
    CountDownLatch latch = new CountDownLatch(count);
    latches.add(latch);
    return latch;
  }

  /** When each counted request arrived, {@link System#nanoTime()}, in order. */
  List<Long> arrivals() {
    List<Long> sorted = new ArrayList<>(arrivals);
    Collections.sort(sorted);
    return sorted;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void answer(HttpExchange exchange, boolean counted) throws IOException {
    if (counted) {
      arrivals.add(System.nanoTime());
      latches.forEach(CountDownLatch::countDown);
    }
    byte[] body = "ok".getBytes(US_ASCII);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /**
   * What a server enforcing a quota would see in {@code arrivals} (sorted nanoTimes): the most
   * arrivals in any window of length {@code window} (sliding, starting at each arrival), and the
   * rate from the first arrival to the last.
   */
  static Figures figures(List<Long> arrivals, Duration window) {
    int max = 0;
    int end = 0;
    for (int start = 0; start < arrivals.size(); start++) {
      while (end < arrivals.size() && arrivals.get(end) - arrivals.get(start) < window.toNanos()) {
        end++;
      }
      max = Math.max(max, end - start);
    }
    double seconds =
        arrivals.size() < 2 ? 0 : (arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / 1e9;
    double rate = seconds == 0 ? 0 : (arrivals.size() - 1) / seconds;
    return new Figures(arrivals.size(), max, seconds, rate);
  }

  /**
   * The shortest time in which {@code n} consecutive arrivals came: a window shorter than this
   * never holds {@code n}; or null if there are fewer.
   */
  static @Nullable Duration tightest(List<Long> arrivals, int n) {
    long min = Long.MAX_VALUE;
    for (int i = 0; i + n - 1 < arrivals.size(); i++) {
      min = Math.min(min, arrivals.get(i + n - 1) - arrivals.get(i));
    }
    return min == Long.MAX_VALUE ? null : Duration.ofNanos(min);
  }

  /** Each arrival's time in milliseconds after the first, for a report. */
  static String offsetsMillis(List<Long> arrivals) {
    StringBuilder out = new StringBuilder();
    for (long arrival : arrivals) {
      out.append(out.length() == 0 ? "" : " ")
          .append(String.format(Locale.ROOT, "%.1f", (arrival - arrivals.get(0)) / 1e6));
    }
    return out.toString();
  }

  /**
   * @param count arrivals
   * @param maxInWindow the most arrivals in any one window
   * @param seconds from the first arrival to the last
   * @param ratePerSecond arrivals per second over that span (the first one not counted)
   */
  record Figures(int count, int maxInWindow, double seconds, double ratePerSecond) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%d arrivals in %.2f s: %.2f/s, at most %d in any window",
          count,
          seconds,
          ratePerSecond,
          maxInWindow);
    }
  }
}
