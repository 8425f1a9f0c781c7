package dev.batchfetch.redis.testing;

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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A local HTTP server that answers {@code /id/<n>} and records when each request arrived, to hold
 * the callers to a quota: {@link #figures} counts the arrivals in every window of a given length.
 * {@code /warmup} is answered and not counted.
 *
 * <p>{@link #start()} answers every request 200. {@link #enforcing} is a token bucket, as a server
 * enforcing a quota would be: {@code burst + 1} tokens, refilled at the rate, full at the start; a
 * request finding it empty is answered 429 (and still counted as an arrival).
 */
public final class ArrivalServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final @Nullable TokenBucket bucket;
  private final Duration delay;
  private final ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Long> refusals = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> traces = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final AtomicInteger refused = new AtomicInteger();
  private final List<CountDownLatch> latches = new CopyOnWriteArrayList<>();

  private ArrivalServer(@Nullable TokenBucket bucket, Duration delay, int threads)
      throws IOException {
    this.bucket = bucket;
    this.delay = delay;
    this.executor = Executors.newFixedThreadPool(threads);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1000);
    server.createContext("/id/", exchange -> answer(exchange, true));
    server.createContext("/warmup", exchange -> answer(exchange, false));
    server.setExecutor(executor);
    server.start();
  }

  /** A server that answers every request 200 at once. */
  public static ArrivalServer start() throws IOException {
    return new ArrivalServer(null, Duration.ZERO, 16);
  }

  /**
   * A server that allows {@code perSecond} requests a second and {@code burst} at once beyond that
   * (a token bucket of {@code burst + 1}), answers 429 beyond, and takes {@code delay} to answer
   * each request.
   */
  public static ArrivalServer enforcing(int perSecond, int burst, Duration delay)
      throws IOException {
    return new ArrivalServer(new TokenBucket(perSecond, burst + 1), delay, 64);
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The URLs {@code /id/from} to {@code /id/(from+count-1)}. */
  public List<String> urls(int from, int count) {
    List<String> urls = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      urls.add(base() + "/id/" + i);
    }
    return urls;
  }

  /** A latch counted down by each arrival from now on: open after {@code count} of them. */
  public CountDownLatch latchAfter(int count) {
    CountDownLatch latch = new CountDownLatch(count);
    latches.add(latch);
    return latch;
  }

  /** When each counted request arrived, {@link System#nanoTime()}, in order. */
  public List<Long> arrivals() {
    List<Long> sorted = new ArrayList<>(arrivals);
    Collections.sort(sorted);
    return sorted;
  }

  /** How many counted requests were answered 429. */
  public int refused() {
    return refused.get();
  }

  /** How many counted requests arriving at {@code nanos} or later were answered 429. */
  public long refusedSince(long nanos) {
    return refusals.stream().filter(t -> t - nanos >= 0).count();
  }

  /** Every counted arrival since {@code nanos}: its nanoTime, path and status. */
  public String trace(long nanos) {
    return traces.stream()
        .filter(t -> Long.parseLong(t.substring(0, t.indexOf(' '))) - nanos >= 0)
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /** How many times each counted path ({@code /id/<n>}) arrived, 429s included. */
  public Map<String, Integer> hits() {
    Map<String, Integer> counts = new ConcurrentHashMap<>();
    hits.forEach((path, count) -> counts.put(path, count.get()));
    return counts;
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
    int status = 200;
    if (counted) {
      long now = System.nanoTime();
      arrivals.add(now);
      hits.computeIfAbsent(exchange.getRequestURI().getPath(), path -> new AtomicInteger())
          .incrementAndGet();
      if (bucket != null && !bucket.take(now)) {
        status = 429;
        refused.incrementAndGet();
        refusals.add(now);
      }
      traces.add(now + " " + exchange.getRequestURI().getPath() + " " + status);
      latches.forEach(CountDownLatch::countDown);
    }
    if (!delay.isZero()) {
      try {
        Thread.sleep(delay.toMillis()); // the server's response time, not a test's wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] body = (status == 200 ? "ok" : "too many requests").getBytes(US_ASCII);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /**
   * What a server enforcing a quota would see in {@code arrivals} (sorted nanoTimes): the most
   * arrivals in any window of length {@code window} (sliding, starting at each arrival), and the
   * rate from the first arrival to the last.
   */
  public static Figures figures(List<Long> arrivals, Duration window) {
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
  public static @Nullable Duration tightest(List<Long> arrivals, int n) {
    long min = Long.MAX_VALUE;
    for (int i = 0; i + n - 1 < arrivals.size(); i++) {
      min = Math.min(min, arrivals.get(i + n - 1) - arrivals.get(i));
    }
    return min == Long.MAX_VALUE ? null : Duration.ofNanos(min);
  }

  /** Each arrival's time in milliseconds after the first, for a report. */
  public static String offsetsMillis(List<Long> arrivals) {
    StringBuilder out = new StringBuilder();
    for (long arrival : arrivals) {
      out.append(out.length() == 0 ? "" : " ")
          .append(String.format(Locale.ROOT, "%.1f", (arrival - arrivals.get(0)) / 1e6));
    }
    return out.toString();
  }

  /**
   * What a server saw.
   *
   * @param count arrivals
   * @param maxInWindow the most arrivals in any one window
   * @param seconds from the first arrival to the last
   * @param ratePerSecond arrivals per second over that span (the first one not counted)
   */
  public record Figures(int count, int maxInWindow, double seconds, double ratePerSecond) {
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

  /** The server's quota: a token bucket on {@link System#nanoTime()}. Thread-safe. */
  private static final class TokenBucket {
    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last;

    TokenBucket(int perSecond, int capacity) {
      this.perNano = perSecond / 1e9;
      this.capacity = capacity;
      this.tokens = capacity;
      this.last = System.nanoTime();
    }

    synchronized boolean take(long now) {
      tokens = Math.min(capacity, tokens + Math.max(0, now - last) * perNano);
      last = Math.max(last, now);
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }
  }
}
