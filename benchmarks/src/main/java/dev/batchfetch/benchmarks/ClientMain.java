package dev.batchfetch.benchmarks;

import dev.batchfetch.RateLimit;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One configuration in its own JVM: warm-up runs, then measured runs, each on a new client, printed
 * as {@code RESULT} lines on standard output for the {@link Suite} to read (see {@link Child}).
 *
 * <p>After the warm-ups it predicts the time of one measured run from the last warm-up, scaled by
 * the number of URLs; above {@code --max-run-seconds} it prints {@code RESULT skip} and stops
 * rather than run for minutes; a measured run that still takes longer ends the measuring after it
 * ({@code RESULT over}). Between runs it collects garbage (untimed), so that each run starts from
 * the same heap; the peaks (threads, heap) are reset after the warm-ups and cover the measured runs
 * only.
 */
public final class ClientMain {
  private ClientMain() {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv, Set.of("check-body"));
    Contender contender = Contender.ofId(args.get("client"));
    int concurrency = args.getInt("concurrency");
    long maxRunSeconds = args.getLong("max-run-seconds", 60);
    long rate = args.getLong("rate", 0);
    @Nullable RateLimit quota =
        rate == 0 ? null : RateLimit.perSecond(rate).withBurst(args.getLong("burst", 0));
    boolean checkBody = args.flag("check-body");
    Runner runner =
        new Runner(contender, concurrency, quota, checkBody, Math.max(60, 4 * maxRunSeconds));
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Child.print("start", "threads", threads.getThreadCount());

    List<String> warmUrls = Outcomes.urls(args.get("warmup-prefix"), args.getInt("warmup-count"));
    long last = 0;
    for (int i = 0; i < args.getInt("warmups"); i++) {
      last = runner.run(warmUrls, "warmup", i);
    }
    List<String> urls = Outcomes.urls(args.get("url-prefix"), args.getInt("count"));
    long predicted = warmUrls.isEmpty() ? 0 : last * urls.size() / warmUrls.size();
    if (predicted > TimeUnit.SECONDS.toNanos(maxRunSeconds)) {
      Child.print("skip", "predicted_nanos", predicted);
      return;
    }
    settle();
    threads.resetPeakThreadCount();
    List<MemoryPoolMXBean> heap = heapPools();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    long pauseMillis = args.getLong("pause-ms", 0);
    for (int i = 0; i < args.getInt("runs"); i++) {
      if (i > 0 && pauseMillis > 0) {
        Thread.sleep(pauseMillis); // lets the server's bucket refill: each run starts alike
      }
      long nanos = runner.run(urls, "run", i);
      settle();
      if (nanos > TimeUnit.SECONDS.toNanos(maxRunSeconds) && i + 1 < args.getInt("runs")) {
        Child.print("over", "index", i, "nanos", nanos);
        break; // longer than the bound: one such run says enough
      }
    }
    long peakHeap = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    Child.print(
        "peak", "threads", threads.getPeakThreadCount(), "heap_bytes", peakHeap, "rss_kb", rssKb());
  }

  /** Runs one configured client over a list of URLs and prints what it saw. */
  private record Runner(
      Contender contender,
      int concurrency,
      @Nullable RateLimit quota,
      boolean checkBody,
      long waitSeconds) {
    long run(List<String> urls, String kind, int index) throws Exception {
      Outcomes out = new Outcomes(urls.size());
      long nanos;
      try (JvmClients.Client client = JvmClients.open(contender, concurrency, quota, waitSeconds)) {
        long start = System.nanoTime();
        client.fetch(urls, out);
        nanos = System.nanoTime() - start;
      }
      Outcomes.Tally tally = out.tally(checkBody);
      Child.print(
          kind,
          "index",
          index,
          "nanos",
          nanos,
          "count",
          urls.size(),
          "ok",
          tally.ok(),
          "too_many",
          tally.tooMany(),
          "failed",
          tally.failed());
      return nanos;
    }
  }

  private static List<MemoryPoolMXBean> heapPools() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP)
        .toList();
  }

  /** Collects garbage and lets the threads of a closed client end, outside any timed part. */
  static void settle() throws InterruptedException {
    System.gc();
    Thread.sleep(100);
  }

  /** The process's peak resident set (VmHWM), in KiB, or -1 where /proc does not tell. */
  static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return -1;
  }
}
