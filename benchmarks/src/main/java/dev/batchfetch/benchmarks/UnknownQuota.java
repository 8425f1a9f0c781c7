package dev.batchfetch.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.BatchSummary;
import dev.batchfetch.ErrorKind;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.RateLimit;
import dev.batchfetch.testing.NginxProcess;
import dev.batchfetch.testing.NginxQuota;
import dev.batchfetch.testing.QuotaModel;
import dev.batchfetch.testing.QuotaServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Workload UQ, "unknown quota": {@code async(256)} against servers whose quota it is not told, for
 * {@code seconds} each: quota discovery (nothing configured) beside fixed guesses of half the
 * quota, the quota and twice the quota, and no limiter at all (discovery off for those), each
 * against its own instance of the server, all of one server at once. Measured at the server: the
 * calls it accepted per second after the first 5 s, against the quota's ideal; the share of
 * attempts it answered 429, after 5 s and overall; and, at the client, the rate discovery learned,
 * second by second.
 *
 * <p>Run by the suite ({@code --only UQ}) or alone: {@code java -cp batchfetch-benchmarks.jar
 * dev.batchfetch.benchmarks.UnknownQuota [--seconds 60]}.
 */
final class UnknownQuota {
  static final int WIDTH = 256;
  private static final double QUOTA = 10;
  private static final Duration LATENCY = Duration.ofMillis(500);
  private static final String HOST_PATH = NginxQuota.PATH;

  /** What one contender is told: the builder's configuration on top of {@code async(256)}. */
  record Contender(String name, UnaryOperator<BatchFetcher.Builder> configure) {}

  /** A server kind: how to start one instance, and its quota's long-run rate. */
  record Kind(String name, double quota, Duration latency, boolean headers, Starter starter) {}

  @FunctionalInterface
  interface Starter {
    Instance start() throws IOException;
  }

  /** One running server: its base URL and the arrivals it answered, (nanos, status). */
  interface Instance extends AutoCloseable {
    String base();

    List<long[]> arrivals();

    @Override
    void close();
  }

  /** One contender's figures against one server. */
  record Measured(
      String server,
      String contender,
      double ideal,
      double throughput,
      double rateAt5s,
      double throttledAfter5s,
      double throttled,
      long throttledAfterHeaders,
      long failed,
      long results,
      long attempts,
      List<Double> learnedPerSecond) {
    String row() {
      return String.format(
          Locale.ROOT,
          "| %s | %s | %.1f | %.1f%% | %s | %.2f%% | %.2f%% | %s | %d | %d | %d |",
          server,
          contender,
          ideal,
          100 * throughput,
          Double.isNaN(rateAt5s) ? "-" : String.format(Locale.ROOT, "%.1f", rateAt5s),
          100 * throttledAfter5s,
          100 * throttled,
          throttledAfterHeaders < 0 ? "-" : Long.toString(throttledAfterHeaders),
          failed,
          results,
          attempts);
    }
  }

  static List<Contender> contenders() {
    return List.of(
        new Contender("discovery (nothing configured)", b -> b),
        new Contender(
            "discovery, ceiling = quota", b -> b.rateLimit(RateLimit.perSecond((long) QUOTA))),
        new Contender(
            "fixed half the quota",
            b -> b.quotaDiscovery(false).rateLimit(RateLimit.perSecond(((long) QUOTA) / 2))),
        new Contender(
            "fixed at the quota",
            b -> b.quotaDiscovery(false).rateLimit(RateLimit.perSecond((long) QUOTA))),
        new Contender(
            "fixed twice the quota",
            b -> b.quotaDiscovery(false).rateLimit(RateLimit.perSecond(((long) QUOTA) * 2))),
        new Contender("no limiter", b -> b.quotaDiscovery(false)));
  }

  static List<Kind> kinds(Optional<Path> nginx) {
    List<Kind> kinds = new ArrayList<>();
    kinds.add(quotaServer(new QuotaModel.TokenBucket(QUOTA, 20, false, false)));
    kinds.add(quotaServer(new QuotaModel.TokenBucket(QUOTA, 20, true, true)));
    nginx.ifPresent(
        binary -> {
          kinds.add(nginx(binary, 5, false));
          kinds.add(nginx(binary, 5, true));
          kinds.add(nginx(binary, 0, false));
        });
    kinds.add(quotaServer(new QuotaModel.FixedWindow(30, 3, false, false)));
    return kinds;
  }

  private static Kind quotaServer(QuotaModel model) {
    boolean headers =
        !model.fresh().answer(0).headers().isEmpty()
            && model.fresh().answer(0).headers().containsKey("RateLimit-Policy");
    return new Kind(
        model + ", " + LATENCY.toMillis() + " ms",
        model.quota(),
        LATENCY,
        headers,
        () -> {
          QuotaServer server = QuotaServer.start(model.fresh(), LATENCY);
          return new Instance() {
            @Override
            public String base() {
              return "http://127.0.0.1:" + server.port();
            }

            @Override
            public List<long[]> arrivals() {
              return server.log().stream().map(a -> new long[] {a.nanos(), a.status()}).toList();
            }

            @Override
            public void close() {
              server.close();
            }
          };
        });
  }

  private static Kind nginx(Path binary, long burst, boolean retryAfter) {
    String name =
        "nginx limit_req 10r/s "
            + (burst == 0 ? "no burst" : "burst " + burst)
            + (retryAfter ? ", Retry-After: 1" : "");
    return new Kind(
        name,
        QUOTA,
        Duration.ZERO,
        false,
        () -> {
          NginxQuota nginx = NginxQuota.start(binary, (long) QUOTA, burst, retryAfter);
          return new Instance() {
            @Override
            public String base() {
              return nginx.base();
            }

            @Override
            public List<long[]> arrivals() {
              return nginx.stopAndRead().stream()
                  .map(a -> new long[] {a.nanos(), a.status()})
                  .toList();
            }

            @Override
            public void close() {
              nginx.close();
            }
          };
        });
  }

  /** Runs every contender against its own instance of {@code kind}, all at once. */
  static List<Measured> measure(Kind kind, int seconds, boolean oneAtATime) throws Exception {
    List<Contender> contenders = contenders();
    List<Instance> instances = new ArrayList<>();
    List<Run> runs = new ArrayList<>();
    try {
      for (Contender contender : contenders) {
        Instance instance = kind.starter().start();
        instances.add(instance);
        runs.add(new Run(contender, instance, seconds));
      }
      if (oneAtATime) {
        for (Run run : runs) {
          run.start();
          run.await();
        }
      } else {
        runs.forEach(Run::start);
        for (Run run : runs) {
          run.await();
        }
      }
      List<Measured> measured = new ArrayList<>();
      for (int i = 0; i < runs.size(); i++) {
        measured.add(runs.get(i).figures(kind, instances.get(i).arrivals()));
      }
      return measured;
    } finally {
      instances.forEach(Instance::close);
    }
  }

  /** One contender's run: an endless streamed batch, stopped after {@code seconds}. */
  private static final class Run {
    private final Contender contender;
    private final Instance instance;
    private final int seconds;
    private final Map<ErrorKind, AtomicLong> failures = new ConcurrentHashMap<>();
    private final AtomicLong results = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();
    private final List<Double> learned = new ArrayList<>();
    private @Nullable Thread thread;
    private @Nullable Exception failure;

    Run(Contender contender, Instance instance, int seconds) {
      this.contender = contender;
      this.instance = instance;
      this.seconds = seconds;
    }

    void start() {
      Thread t = new Thread(this::run, "uq-" + contender.name());
      t.setDaemon(true);
      thread = t;
      t.start();
    }

    void await() throws Exception {
      Thread t = thread;
      if (t != null) {
        t.join(Duration.ofSeconds(seconds + 60).toMillis());
      }
      Exception e = failure;
      if (e != null) {
        throw e;
      }
    }

    private void run() {
      String prefix = instance.base() + HOST_PATH;
      Iterator<String> endless =
          new Iterator<>() {
            private long next;

            @Override
            public boolean hasNext() {
              return true;
            }

            @Override
            public String next() {
              return prefix + next++;
            }
          };
      try (BatchFetcher fetcher =
          contender
              .configure()
              .apply(BatchFetcher.builder().policy(ExecutionPolicy.async(WIDTH)))
              .build()) {
        Iterable<String> urls = () -> endless;
        CompletableFuture<BatchSummary> batch =
            fetcher.fetchEach(
                urls,
                r -> {
                  results.incrementAndGet();
                  attempts.addAndGet(r.attempts());
                  ErrorKind error = r.error();
                  if (error != null) {
                    failures.computeIfAbsent(error, k -> new AtomicLong()).incrementAndGet();
                  }
                });
        String host =
            "127.0.0.1:" + instance.base().substring(instance.base().lastIndexOf(':') + 1);
        long start = System.nanoTime();
        for (int s = 1; s <= seconds; s++) {
          long wake = start + Duration.ofSeconds(s).toNanos();
          for (long left = wake - System.nanoTime(); left > 0; left = wake - System.nanoTime()) {
            Thread.sleep(Math.max(1, left / 1_000_000));
          }
          learned.add(fetcher.learnedRates().getOrDefault(host, Double.NaN));
        }
        // One more second, unmeasured: the server's window (from its first arrival, a little after
        // this client's start) ends before this client stops sending.
        Thread.sleep(1_000);
        batch.cancel(true);
      } catch (Exception e) {
        failure = e;
      }
    }

    Measured figures(Kind kind, List<long[]> arrivals) {
      double ideal = Math.min(kind.quota(), WIDTH / Math.max(1e-3, kind.latency().toNanos() / 1e9));
      long failed = 0;
      for (Map.Entry<ErrorKind, AtomicLong> e : failures.entrySet()) {
        if (e.getKey() != ErrorKind.CANCELLED && e.getKey() != ErrorKind.REJECTED) {
          failed += e.getValue().get();
        }
      }
      if (arrivals.isEmpty()) {
        return new Measured(
            kind.name(),
            contender.name(),
            ideal,
            0,
            Double.NaN,
            0,
            0,
            -1,
            failed,
            results.get(),
            0,
            learned);
      }
      long first = arrivals.get(0)[0];
      long warm = first + Duration.ofSeconds(5).toNanos();
      long end = first + Duration.ofSeconds(seconds).toNanos();
      long after = 0;
      long acceptedAfter = 0;
      long refusedAfter = 0;
      long refused = 0;
      long total = 0;
      for (long[] a : arrivals) {
        if (a[0] > end) {
          break;
        }
        total++;
        boolean late = a[0] >= warm;
        after += late ? 1 : 0;
        if (a[1] == 429) {
          refused++;
          refusedAfter += late ? 1 : 0;
        } else if (late) {
          acceptedAfter++;
        }
      }
      long afterHeaders = -1;
      if (kind.headers()) {
        long firstAnswer = first + kind.latency().toNanos();
        afterHeaders =
            arrivals.stream().filter(a -> a[0] > firstAnswer && a[0] <= end && a[1] == 429).count();
      }
      double rateAt5s = learned.size() >= 5 ? learned.get(4) : Double.NaN;
      return new Measured(
          kind.name(),
          contender.name(),
          ideal,
          acceptedAfter / (ideal * (seconds - 5)),
          rateAt5s,
          after == 0 ? 0 : refusedAfter / (double) after,
          total == 0 ? 0 : refused / (double) total,
          afterHeaders,
          failed,
          results.get(),
          total,
          learned);
    }
  }

  static String header() {
    return "| server | client, async(256) | ideal/s | accepted after 5 s, of ideal | learned rate"
        + " at 5 s | 429 after 5 s | 429 overall | 429 after headers | inputs failed | results"
        + " | attempts |\n"
        + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";
  }

  /** The learned rate over time against the quota, one panel per server: SVG. */
  static String svg(List<Measured> all, int seconds) {
    List<Measured> discovery =
        all.stream().filter(m -> m.contender().startsWith("discovery (")).toList();
    int panelW = 460;
    int panelH = 160;
    int cols = 2;
    int rows = (discovery.size() + cols - 1) / cols;
    int width = cols * panelW + 20;
    int height = 40 + rows * (panelH + 50);
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d"
                + " %d\" font-family=\"sans-serif\" font-size=\"11\">%n<rect width=\"%d\""
                + " height=\"%d\" fill=\"white\"/>%n<text x=\"10\" y=\"22\" font-size=\"14\""
                + " font-weight=\"bold\">UQ: the rate discovery learned (blue), second by second,"
                + " against the quota (grey), async(256), nothing configured</text>%n",
            width,
            height,
            width,
            height,
            width,
            height));
    double top = 4 * QUOTA;
    for (int i = 0; i < discovery.size(); i++) {
      Measured m = discovery.get(i);
      int x0 = 10 + (i % cols) * panelW + 30;
      int y0 = 40 + (i / cols) * (panelH + 50) + 20;
      int w = panelW - 50;
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\">%s</text>%n<rect x=\"%d\" y=\"%d\" width=\"%d\""
                  + " height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
              x0,
              y0 - 6,
              escape(m.server()),
              x0,
              y0,
              w,
              panelH));
      for (double tick : new double[] {0, QUOTA, 2 * QUOTA, 3 * QUOTA, 4 * QUOTA}) {
        int y = (int) (y0 + panelH - tick / top * panelH);
        svg.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>%n",
                x0 - 4,
                y + 4,
                tick));
      }
      int qy = (int) (y0 + panelH - QUOTA / top * panelH);
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#aaa\""
                  + " stroke-dasharray=\"4,3\"/>%n",
              x0,
              qy,
              x0 + w,
              qy));
      StringBuilder path = new StringBuilder();
      List<Double> rates = m.learnedPerSecond();
      for (int s = 0; s < rates.size(); s++) {
        double r = rates.get(s);
        if (Double.isNaN(r)) {
          continue;
        }
        int x = x0 + (int) ((s + 1) * (double) w / seconds);
        int y = (int) (y0 + panelH - Math.min(top, r) / top * panelH);
        path.append(path.length() == 0 ? "M" : " L").append(x).append(',').append(y);
      }
      if (path.length() > 0) {
        svg.append(
            String.format(
                Locale.ROOT,
                "<path d=\"%s\" fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"1.5\"/>%n",
                path));
      }
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds (0-%d); calls/s</text>%n",
              x0 + w / 2,
              y0 + panelH + 14,
              seconds));
    }
    return svg.append("</svg>\n").toString();
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** The section of the report, with the table of every run. */
  static String markdown(
      List<Measured> all, int seconds, boolean oneAtATime, String svgName, String load) {
    StringBuilder md = new StringBuilder();
    md.append("## UQ: an unknown quota\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "`async(256)` against servers whose quota it is not told, %d s each. Every client runs"
                + " against its own instance of the server, %s. Load average before / after: %s. Quota 10 calls/s everywhere; the"
                + " token bucket and the fixed window are the tests' `QuotaServer`, answering"
                + " after %d ms; nginx answers at once. \"Fixed\" clients have quota discovery"
                + " off. Throughput is the calls the server accepted from 5 s after its first"
                + " arrival to the end, over the ideal (`min(quota, 256 / latency)`); inputs"
                + " failed counts results that are failures among those delivered (none is"
                + " cancelled: the batch is stopped at the end and its unfinished inputs are not"
                + " counted).%n%n",
            seconds,
            oneAtATime
                ? "one client at a time"
                : "the six of one server at once (their calls compete for the cores: the client"
                    + " without a limiter sends thousands a second)",
            load,
            LATENCY.toMillis()));
    md.append(header()).append('\n');
    for (Measured m : all) {
      md.append(m.row()).append('\n');
    }
    md.append("\n![Learned rate over time](").append(svgName).append(")\n");
    return md.toString();
  }

  /**
   * Warms the JVM up (untimed): 2,000 calls through {@code async(256)}, twice, against a bucket too
   * large to refuse any, so that no client of the first server runs cold.
   */
  static void warmUp() throws IOException {
    try (QuotaServer server =
        QuotaServer.start(new QuotaModel.TokenBucket(1e6, 1_000_000, false, false), LATENCY)) {
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        urls.add("http://127.0.0.1:" + server.port() + "/warm/" + i);
      }
      for (int round = 0; round < 2; round++) {
        try (BatchFetcher fetcher = BatchFetcher.async(WIDTH)) {
          fetcher.fetchAll(urls).join();
        }
      }
    }
  }

  /** Runs every server kind and writes the section and its chart next to {@code out}. */
  static List<Measured> runAll(Optional<Path> nginx, int seconds, boolean oneAtATime)
      throws Exception {
    System.out.println("UQ: warm-up, 2 x 2,000 calls, untimed");
    warmUp();
    List<Measured> all = new ArrayList<>();
    for (Kind kind : kinds(nginx)) {
      System.out.println(
          "UQ: "
              + kind.name()
              + ", "
              + seconds
              + " s, "
              + (oneAtATime ? "one client at a time" : "six clients at once"));
      List<Measured> measured = measure(kind, seconds, oneAtATime);
      for (Measured m : measured) {
        System.out.println(m.row());
      }
      all.addAll(measured);
    }
    return all;
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv, java.util.Set.of("one-at-a-time"));
    int seconds = Integer.parseInt(args.get("seconds", "60"));
    Path out = Path.of(args.get("out", "uq.md"));
    String before = Environment.loadAverage();
    boolean oneAtATime = args.flag("one-at-a-time");
    List<Measured> all = runAll(NginxProcess.binary(), seconds, oneAtATime);
    String load = before + " / " + Environment.loadAverage();
    Path svg = out.resolveSibling("benchmarks-uq.svg");
    Files.writeString(svg, svg(all, seconds), UTF_8);
    Files.writeString(
        out, markdown(all, seconds, oneAtATime, svg.getFileName().toString(), load), UTF_8);
    System.out.println("wrote " + out + " and " + svg);
  }
}
