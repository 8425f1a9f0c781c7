package dev.batchfetch.examples.cli;

import dev.batchfetch.FetchListener;
import dev.batchfetch.RateLimit;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The summary's lines per host, kept from the fetcher's events: requests sent, 429s, pauses, and
 * the host's rate, learned or configured:
 *
 * <pre>{@code
 * api.example.com:443: 1,204 requests, 12 × 429, 3 pauses, rate 5/s (learned)
 * cdn.example.com:443: 88 requests, rate unlimited (configured)
 * }</pre>
 *
 * <p>The busiest {@value #MAX_LINES} hosts get a line each, the others one line together.
 * Thread-safe: the fetcher's events thread counts, the command line's thread prints.
 */
final class HostLines extends FetchListener {
  static final int MAX_LINES = 10;

  private final Function<String, RateLimit> configured;
  private final Map<String, Host> hosts = new ConcurrentHashMap<>();

  /** One host's counts. */
  private static final class Host {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong tooMany = new AtomicLong();
    final AtomicLong pauses = new AtomicLong();
    volatile @Nullable RateLimit learned;
  }

  /**
   * @param configured the rate the options give a host, by its key ({@code name:port})
   */
  HostLines(Function<String, RateLimit> configured) {
    this.configured = configured;
  }

  private Host host(String key) {
    return hosts.computeIfAbsent(key, k -> new Host());
  }

  @Override
  public void attemptEnded(AttemptEnded e) {
    Host host = host(e.host());
    host.requests.incrementAndGet();
    if (e.status() == 429) {
      host.tooMany.incrementAndGet();
    }
  }

  @Override
  public void hostPaused(HostPaused e) {
    host(e.host()).pauses.incrementAndGet();
  }

  @Override
  public void rateChanged(RateChanged e) {
    host(e.host()).learned = e.to();
  }

  /** Prints a line per host, the busiest first. */
  void print(PrintWriter out) {
    List<Map.Entry<String, Host>> busiest =
        hosts.entrySet().stream()
            .sorted(
                Comparator.comparingLong((Map.Entry<String, Host> e) -> e.getValue().requests.get())
                    .reversed()
                    .thenComparing(Map.Entry::getKey))
            .toList();
    for (Map.Entry<String, Host> entry : busiest.subList(0, Math.min(MAX_LINES, busiest.size()))) {
      out.println(line(entry.getKey(), entry.getValue()));
    }
    if (busiest.size() > MAX_LINES) {
      long requests =
          busiest.subList(MAX_LINES, busiest.size()).stream()
              .mapToLong(e -> e.getValue().requests.get())
              .sum();
      out.printf(
          Locale.ROOT,
          "  %s: %s%n",
          count(busiest.size() - MAX_LINES, "more host"),
          count(requests, "request"));
    }
  }

  private String line(String key, Host host) {
    StringBuilder line =
        new StringBuilder(
            String.format(Locale.ROOT, "  %s: %s", key, count(host.requests.get(), "request")));
    if (host.tooMany.get() > 0) {
      line.append(String.format(Locale.ROOT, ", %,d × 429", host.tooMany.get()));
    }
    if (host.pauses.get() > 0) {
      line.append(", ").append(count(host.pauses.get(), "pause"));
    }
    RateLimit learned = host.learned;
    return line.append(", rate ")
        .append(
            learned != null
                ? rate(learned) + " (learned)"
                : rate(configured.apply(key)) + " (configured)")
        .toString();
  }

  /** {@code 1 pause}, {@code 1,204 pauses}. */
  static String count(long n, String noun) {
    return String.format(Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
  }

  /** {@code 4.85/s}: one call per {@code period}, in calls per second to three digits. */
  private static String perSecond(Duration period) {
    return new BigDecimal(1e9 / period.toNanos())
            .round(new MathContext(3))
            .stripTrailingZeros()
            .toPlainString()
        + "/s";
  }

  /**
   * {@code 5/s}, {@code 300/min}, {@code unlimited}, {@code 4.85/s} for one call per an interval
   * under a minute; else the rate's own words.
   */
  static String rate(RateLimit rate) {
    if (rate.isUnlimited()) {
      return "unlimited";
    }
    Duration period = rate.period();
    String per =
        period.equals(Duration.ofSeconds(1))
            ? rate.permits() + "/s"
            : period.equals(Duration.ofMinutes(1))
                ? rate.permits() + "/min"
                : period.equals(Duration.ofHours(1))
                    ? rate.permits() + "/h"
                    : rate.permits() == 1 && period.compareTo(Duration.ofMinutes(1)) < 0
                        ? perSecond(period) // a learned rate: one call per an odd interval
                        : rate.toString();
    return rate.burst() == 0 ? per : per + ", burst " + rate.burst();
  }
}
