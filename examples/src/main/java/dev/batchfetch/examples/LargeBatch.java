package dev.batchfetch.examples;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.BatchSummary;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.Progress;
import dev.batchfetch.Result;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.BitSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams a million URLs through one fetcher in a small heap, and reports what it cost: time, peak
 * heap, peak threads, and whether every input got exactly one result.
 *
 * <pre>{@code
 * java -Xmx128m -cp examples/target/batchfetch-demo.jar dev.batchfetch.examples.LargeBatch \
 *     --count 1000000 --in-flight 64
 * }</pre>
 *
 * <p>The URLs are made as they are read, so the input costs nothing: what the heap holds is the
 * fetcher's own state. The local {@link IdServer} runs in the same JVM and its threads and memory
 * count too; {@code --base} points at another server instead (a URL to which the id is appended).
 */
public final class LargeBatch {
  private static final AtomicLong PEAK_AFTER_GC = new AtomicLong();
  private static final AtomicLong PEAK_USED = new AtomicLong();

  private LargeBatch() {}

  /** Runs it; see the class comment for the options. */
  public static void main(String[] args) throws IOException {
    int count = 1_000_000;
    int inFlight = 64;
    String base = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--count" -> count = Integer.parseInt(args[i + 1]);
        case "--in-flight" -> inFlight = Integer.parseInt(args[i + 1]);
        case "--base" -> base = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (base != null) {
      run(base, count, inFlight);
    } else {
      try (IdServer server = IdServer.start(Duration.ZERO)) {
        run("http://127.0.0.1:" + server.port() + "/id/", count, inFlight);
      }
    }
  }

  private static void run(String base, int count, int inFlight) {
    System.out.printf(
        Locale.ROOT,
        "Streaming %,d URLs from %s{n} with async(%d), Java %s, max heap %d MiB, %d cores.%n",
        count,
        base,
        inFlight,
        Runtime.version().feature(),
        Runtime.getRuntime().maxMemory() >> 20,
        Runtime.getRuntime().availableProcessors());
    BitSet seen = new BitSet(count);
    AtomicInteger duplicates = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger peakFetcherThreads = new AtomicInteger();
    BatchSummary summary;
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .policy(ExecutionPolicy.async(inFlight))
            .progressInterval(Duration.ofSeconds(2))
            .progressListener(p -> report(p, peakFetcherThreads))
            .build()) {
      summary =
          fetcher
              .fetchEach(
                  () -> urls(base, count),
                  result -> {
                    if (seen.get(result.index())) {
                      duplicates.incrementAndGet();
                    }
                    seen.set(result.index());
                    if (!expected(result)) {
                      failures.incrementAndGet();
                    }
                  })
              .join();
    }
    System.out.printf(
        Locale.ROOT,
        "results %,d (distinct inputs %,d, duplicates %d), successes %,d, failures %d, not the"
            + " expected body %d%n",
        summary.results(),
        seen.cardinality(),
        duplicates.get(),
        summary.succeeded(),
        summary.failed(),
        failures.get());
    System.out.printf(
        Locale.ROOT,
        "time %,d ms (%,.0f results/s); heap in use at most %,d MiB (sampled), kept after a GC at"
            + " most %,d MiB; peak threads: JVM %d, fetcher %d%n",
        summary.elapsed().toMillis(),
        summary.results() / (summary.elapsed().toNanos() / 1e9),
        PEAK_USED.get() >> 20,
        PEAK_AFTER_GC.get() >> 20,
        ManagementFactory.getThreadMXBean().getPeakThreadCount(),
        peakFetcherThreads.get());
  }

  private static boolean expected(Result result) {
    return result.isSuccess() && result.text().equals(Integer.toString(result.index()));
  }

  private static void report(Progress p, AtomicInteger peakFetcherThreads) {
    int threads =
        (int)
            Thread.getAllStackTraces().keySet().stream()
                .filter(
                    t -> t.getName().startsWith("batchfetch-") || t.getName().startsWith("OkHttp"))
                .count();
    peakFetcherThreads.accumulateAndGet(threads, Math::max);
    PEAK_AFTER_GC.accumulateAndGet(heapAfterGc(), Math::max);
    PEAK_USED.accumulateAndGet(
        Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory(), Math::max);
    System.err.printf(
        Locale.ROOT,
        "%,d done, %d in flight, %,d waiting, %,.0f/s, heap used %,d MiB, fetcher threads %d%n",
        p.finished(),
        p.inFlight(),
        p.waiting(),
        p.resultsPerSecond(),
        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20,
        threads);
  }

  private static Iterator<String> urls(String base, int count) {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < count;
      }

      @Override
      public String next() {
        if (next >= count) {
          throw new NoSuchElementException();
        }
        return base + next++;
      }
    };
  }

  /** The heap in use right after the last collection of each pool: the live set, roughly. */
  private static long heapAfterGc() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage afterGc = pool.getCollectionUsage();
      if (pool.getType() == MemoryType.HEAP && afterGc != null) {
        sum += afterGc.getUsed();
      }
    }
    return sum;
  }
}
