package dev.batchfetch.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.FetchListener;
import dev.batchfetch.micrometer.BatchFetcherMetrics;
import dev.batchfetch.testing.NginxProcess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The overhead of batchfetch over raw OkHttp, in one JVM: {@code batchfetch async(C)} and raw
 * OkHttp {@code enqueue} with a window of C (its dispatcher's limits and connection pool sized to
 * C), the same clients as the suite's, fetching the same URLs from a loopback nginx, warm-ups
 * first, then measured runs alternating between the two. What it reports: the median, fastest and
 * slowest run of each, the CPU time and the heap allocated per run, and the ratio batchfetch / raw.
 *
 * <pre>{@code
 * benchmarks/overhead.sh [--count 20000] [--concurrency 100] [--warmups 3] [--runs 5]
 *     [--reuse] [--profile jfr|async] [--profile-dir DIR] [--url-prefix http://127.0.0.1:P/id/]
 * }</pre>
 *
 * <p>Without {@code --url-prefix} it starts its own nginx (as the suite does; the suite passes its
 * own). Each run builds a new client before its clock starts and closes it after the clock stops,
 * as the suite's client processes do; {@code --reuse} keeps one client of each kind for all runs
 * instead, so that connections and threads are warm. With {@code --profile}, each measured run is
 * recorded into {@code DIR/<side>-run<i>.jfr} and {@link JfrSummary} writes {@code
 * DIR/summary.txt}; timings taken under a profiler are reported, and marked so.
 *
 * <p>Every run prints a {@code RESULT} line (see {@link Child}) for the suite, then a summary in
 * Markdown ({@link OverheadSummary}).
 */
public final class Overhead {
  /**
   * The clients compared: batchfetch and raw OkHttp; with {@code --listeners}, batchfetch with a
   * no-op event listener and with the Micrometer one too (issue 13: listeners cost next to
   * nothing).
   */
  enum Side {
    BATCHFETCH("batchfetch", Contender.BATCHFETCH_ASYNC, ""),
    RAW("raw", Contender.OKHTTP_ENQUEUE_TUNED, ""),
    NOOP_LISTENER("batchfetch+noop", Contender.BATCHFETCH_ASYNC, " + a no-op event listener"),
    METERS_LISTENER("batchfetch+micrometer", Contender.BATCHFETCH_ASYNC, " + BatchFetcherMetrics");

    final String id;
    final Contender contender;
    private final String with;

    Side(String id, Contender contender, String with) {
      this.id = id;
      this.contender = contender;
      this.with = with;
    }

    /** Whether the side is batchfetch with a listener. */
    boolean listens() {
      return !with.isEmpty();
    }

    String label(int concurrency) {
      return contender.label(concurrency) + with;
    }

    static Side ofId(String id) {
      for (Side s : values()) {
        if (s.id.equals(id)) {
          return s;
        }
      }
      throw new IllegalArgumentException("no side " + id);
    }
  }

  private final int concurrency;
  private final long waitSeconds;
  private final @Nullable Profiling profiling;
  private final Path profileDir;
  private final Map<Side, JvmClients.Client> kept = new EnumMap<>(Side.class);
  private final List<Side> sides;

  private Overhead(
      int concurrency,
      long waitSeconds,
      @Nullable Profiling profiling,
      Path profileDir,
      List<Side> sides) {
    this.sides = sides;
    this.concurrency = concurrency;
    this.waitSeconds = waitSeconds;
    this.profiling = profiling;
    this.profileDir = profileDir;
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv, Set.of("reuse", "listeners"));
    int count = args.getInt("count", 20_000);
    int concurrency = args.getInt("concurrency", 100);
    int warmups = args.getInt("warmups", 3);
    int runs = args.getInt("runs", 5);
    boolean reuse = args.flag("reuse");
    List<Side> sides =
        args.flag("listeners") ? List.of(Side.values()) : List.of(Side.BATCHFETCH, Side.RAW);
    String mode = args.get("profile", "none");
    @Nullable Profiling profiling = mode.equals("none") ? null : Profiling.of(mode);
    Path profileDir = Path.of(args.get("profile-dir", "benchmarks/target/overhead-" + mode));
    String loadBefore = Environment.loadAverage();

    Overhead overhead = new Overhead(concurrency, 120, profiling, profileDir, sides);
    List<Measured> measured;
    try (@Nullable NginxServer nginx = args.has("url-prefix") ? null : startNginx()) {
      String prefix = nginx == null ? args.get("url-prefix") : nginx.base() + "/id/";
      List<String> urls = Outcomes.urls(prefix, count);
      System.out.printf(
          Locale.ROOT,
          "overhead: %,d URLs from %s, C = %d, %d warm-up and %d measured runs of each side,"
              + " alternating, %s clients%s%n",
          count,
          prefix,
          concurrency,
          warmups,
          runs,
          reuse ? "reused" : "new",
          profiling == null ? "" : ", profiled: " + profiling.describe());
      if (profiling != null) {
        Files.createDirectories(profileDir);
      }
      measured = overhead.measure(urls, warmups, runs, reuse);
    } finally {
      overhead.kept.values().forEach(JvmClients.Client::close);
    }
    OverheadSummary summary =
        new OverheadSummary(
            measured, concurrency, reuse, profiling != null, loadBefore, Environment.loadAverage());
    System.out.println();
    System.out.print(summary.markdown());
    if (profiling != null) {
      Files.writeString(profileDir.resolve("timings.md"), summary.markdown(), UTF_8);
      String text = JfrSummary.compare(overhead.recordings(runs), profiling.describe());
      Files.writeString(profileDir.resolve("summary.txt"), text, UTF_8);
      System.out.println();
      System.out.print(text);
      System.out.println("wrote " + profileDir.resolve("summary.txt") + " and the .jfr files");
    }
  }

  private static NginxServer startNginx() throws IOException {
    Path binary =
        NginxProcess.binary()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "nginx is not installed (Debian: nginx); install it or give"
                            + " --url-prefix http://127.0.0.1:PORT/id/ of a server that answers"
                            + " /id/{n} with n"));
    return NginxServer.start(binary, Plan.QUOTA_RATE, Plan.QUOTA_BURST);
  }

  private List<Measured> measure(List<String> urls, int warmups, int runs, boolean reuse)
      throws Exception {
    if (reuse) {
      for (Side side : sides) {
        kept.put(side, open(side));
      }
    }
    for (int i = 0; i < warmups; i++) {
      for (Side side : sides) {
        run(side, urls, i, false).print("warmup");
      }
    }
    List<Measured> measured = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      for (Side side : sides) {
        Measured m = run(side, urls, i, profiling != null);
        m.print("run");
        measured.add(m);
      }
    }
    return measured;
  }

  private JvmClients.Client open(Side side) {
    return switch (side) {
      case NOOP_LISTENER ->
          JvmClients.batchfetch(ExecutionPolicy.async(concurrency), null, new FetchListener() {});
      case METERS_LISTENER ->
          JvmClients.batchfetch(
              ExecutionPolicy.async(concurrency),
              null,
              BatchFetcherMetrics.of(new SimpleMeterRegistry()));
      default -> JvmClients.open(side.contender, concurrency, null, waitSeconds);
    };
  }

  /** The recordings of the measured runs, by side. */
  private Map<String, List<Path>> recordings(int runs) {
    Map<String, List<Path>> files = new java.util.LinkedHashMap<>();
    for (Side side : sides) {
      List<Path> list = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        list.add(recording(side, i));
      }
      files.put(side.id, list);
    }
    return files;
  }

  private Path recording(Side side, int index) {
    return profileDir.resolve(side.id + "-run" + (index + 1) + ".jfr");
  }

  /** One run of {@code side}, from a settled heap; the clock covers {@code fetch} only. */
  private Measured run(Side side, List<String> urls, int index, boolean profiled) throws Exception {
    ClientMain.settle();
    Outcomes out = new Outcomes(urls.size());
    JvmClients.Client kept = this.kept.get(side);
    JvmClients.Client client = kept != null ? kept : open(side);
    Counters before;
    Counters after;
    long nanos;
    @Nullable Profiling recorder = profiled ? profiling : null;
    try {
      if (recorder != null) {
        recorder.start(recording(side, index));
      }
      before = Counters.now();
      long start = System.nanoTime();
      client.fetch(urls, out);
      nanos = System.nanoTime() - start;
      after = Counters.now();
    } finally {
      if (recorder != null) {
        recorder.stop();
      }
      if (kept == null) {
        client.close();
      }
    }
    Outcomes.Tally tally = out.tally(true);
    return new Measured(
        side,
        index,
        nanos,
        urls.size(),
        tally.ok(),
        after.cpuNanos - before.cpuNanos,
        after.allocatedBytes - before.allocatedBytes,
        after.gcCount - before.gcCount,
        after.gcMillis - before.gcMillis,
        after.peakThreads);
  }

  /** The JVM's counters at one moment; reading them resets the peak thread count. */
  private record Counters(
      long cpuNanos, long allocatedBytes, long gcCount, long gcMillis, long peakThreads) {
    static Counters now() {
      var os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long gcCount = 0;
      long gcMillis = 0;
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        gcCount += Math.max(0, gc.getCollectionCount());
        gcMillis += Math.max(0, gc.getCollectionTime());
      }
      long peak = threads.getPeakThreadCount();
      threads.resetPeakThreadCount();
      return new Counters(
          os.getProcessCpuTime(), threads.getTotalThreadAllocatedBytes(), gcCount, gcMillis, peak);
    }
  }

  /**
   * One run of one side.
   *
   * @param cpuNanos the whole JVM's CPU time during the run (every thread: clients, GC, JIT)
   * @param allocatedBytes heap allocated by every thread during the run
   * @param gcCount garbage collections during the run
   * @param gcMillis their accumulated time
   * @param peakThreads the most live threads during the run
   */
  record Measured(
      Side side,
      int index,
      long nanos,
      int count,
      int ok,
      long cpuNanos,
      long allocatedBytes,
      long gcCount,
      long gcMillis,
      long peakThreads) {

    void print(String kind) {
      Child.print(
          kind,
          "side",
          side.id,
          "index",
          index,
          "nanos",
          nanos,
          "count",
          count,
          "ok",
          ok,
          "cpu_nanos",
          cpuNanos,
          "allocated_bytes",
          allocatedBytes,
          "gc_count",
          gcCount,
          "gc_millis",
          gcMillis,
          "peak_threads",
          peakThreads);
    }

    static Measured of(Child.Line line) {
      return new Measured(
          Side.ofId(line.text("side")),
          (int) line.number("index"),
          line.number("nanos"),
          (int) line.number("count"),
          (int) line.number("ok"),
          line.number("cpu_nanos"),
          line.number("allocated_bytes"),
          line.number("gc_count"),
          line.number("gc_millis"),
          line.number("peak_threads"));
    }
  }
}
