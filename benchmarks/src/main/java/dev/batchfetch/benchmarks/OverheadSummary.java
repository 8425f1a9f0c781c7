package dev.batchfetch.benchmarks;

import dev.batchfetch.benchmarks.Overhead.Measured;
import dev.batchfetch.benchmarks.Overhead.Side;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The measured runs of {@link Overhead}, summed up: a table of both sides, the ratio batchfetch /
 * raw of the median times (the figure the target is about), the ratios run by run, and the same
 * ratio for CPU time and allocated heap. Written by {@code Overhead} itself and by the suite's
 * report alike.
 *
 * @param runs the measured runs of both sides, in the order they ran
 * @param concurrency C, the width of both clients
 * @param reused whether each side kept one client for every run
 * @param profiled whether the runs were timed under a profiler
 * @param loadBefore the load averages when the comparison started
 * @param loadAfter the load averages when it ended
 */
record OverheadSummary(
    List<Measured> runs,
    int concurrency,
    boolean reused,
    boolean profiled,
    String loadBefore,
    String loadAfter) {

  /** The ratio of median times the target asks for at most. */
  static final double TARGET = 1.10;

  private List<Measured> of(Side side) {
    return runs.stream().filter(m -> m.side() == side).toList();
  }

  /** The lower middle of the values (the median of an odd count). */
  private static long median(List<Measured> runs, ToLongFunction<Measured> value) {
    long[] sorted = runs.stream().mapToLong(value).sorted().toArray();
    return sorted[(sorted.length - 1) / 2];
  }

  private double ratio(Side top, Side bottom, ToLongFunction<Measured> value) {
    return (double) median(of(top), value) / median(of(bottom), value);
  }

  private OptionalDouble ratio(ToLongFunction<Measured> value) {
    List<Measured> top = of(Side.BATCHFETCH);
    List<Measured> bottom = of(Side.RAW);
    if (top.isEmpty() || bottom.isEmpty()) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of((double) median(top, value) / median(bottom, value));
  }

  /** Median time of batchfetch over median time of raw OkHttp; empty if a side has no run. */
  OptionalDouble timeRatio() {
    return ratio(Measured::nanos);
  }

  /** What the suite's targets table says: the measured ratio and whether it meets the target. */
  String verdict() {
    OptionalDouble r = timeRatio();
    return r.isEmpty()
        ? "not measured | — |"
        : String.format(Locale.ROOT, "%.3f | %s |", r.getAsDouble(), met(r.getAsDouble()));
  }

  private String met(double ratio) {
    return (ratio <= TARGET ? "met" : "**missed**") + (profiled ? " (under a profiler)" : "");
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    Measured first = runs.get(0);
    md.append(
        String.format(
            Locale.ROOT,
            "batchfetch `async(%d)` against raw OkHttp `enqueue` with a window of %d (dispatcher"
                + " maxRequests and maxRequestsPerHost %d, connection pool of %d), in one JVM,"
                + " %,d URLs from nginx on loopback, %d measured runs of each after the warm-ups,"
                + " alternating (batchfetch first in each pair), %s. A run's time is from the first"
                + " URL handed over to the last result recorded, bodies read and checked; CPU is"
                + " the whole JVM's (every thread, GC and JIT included; nginx not). Load average"
                + " (1, 5, 15 min) before / after: %s / %s.%s%n%n",
            concurrency,
            concurrency,
            concurrency,
            concurrency,
            first.count(),
            of(Side.BATCHFETCH).size(),
            reused
                ? "each side keeping one client for every run"
                : "each run on a new client, built before its clock starts and closed after",
            loadBefore,
            loadAfter,
            profiled ? " **Timed under a profiler**: the times include its cost." : ""));
    md.append(
        "| client | median s | min s | max s | URLs/s | CPU s | allocated per URL | GCs"
            + " | peak threads | ok / URLs |\n");
    md.append("|").append(" --- |".repeat(10)).append('\n');
    for (Side side : Side.values()) {
      List<Measured> r = of(side);
      if (r.isEmpty()) {
        continue;
      }
      long nanos = median(r, Measured::nanos);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %,.0f | %.3f | %,.1f KiB | %d | %d | %d/%d |%n",
              side.label(concurrency),
              Report.seconds(nanos / 1e9),
              Report.seconds(r.stream().mapToLong(Measured::nanos).min().orElseThrow() / 1e9),
              Report.seconds(r.stream().mapToLong(Measured::nanos).max().orElseThrow() / 1e9),
              r.get(0).count() / (nanos / 1e9),
              median(r, Measured::cpuNanos) / 1e9,
              median(r, Measured::allocatedBytes) / 1024.0 / r.get(0).count(),
              median(r, Measured::gcCount),
              r.stream().mapToLong(Measured::peakThreads).max().orElseThrow(),
              r.stream().mapToInt(Measured::ok).min().orElseThrow(),
              r.get(0).count()));
    }
    md.append("\n(Median of the runs; CPU, allocation and GCs are medians per run too.)\n\n");
    OptionalDouble time = timeRatio();
    if (time.isPresent()) {
      md.append(
          String.format(
              Locale.ROOT,
              "- **batchfetch / raw, ratio of the median times: %.3f** (target ≤ %.2f: %s)%n",
              time.getAsDouble(),
              TARGET,
              met(time.getAsDouble())));
      md.append("- run by run (batchfetch run i / raw run i): ").append(pairs()).append('\n');
      for (Side side : Side.values()) {
        if (side.listens() && !of(side).isEmpty()) {
          md.append(
              String.format(
                  Locale.ROOT,
                  "- batchfetch%s / raw, ratio of the median times: %.3f; / batchfetch without"
                      + " a listener: %.3f%n",
                  side.label(concurrency).substring(side.contender.label(concurrency).length()),
                  ratio(side, Side.RAW, Measured::nanos),
                  ratio(side, Side.BATCHFETCH, Measured::nanos)));
        }
      }
      md.append(
          String.format(
              Locale.ROOT,
              "- CPU time, ratio of the medians: %.3f; heap allocated, ratio of the medians:"
                  + " %.3f%n",
              ratio(Measured::cpuNanos).orElseThrow(),
              ratio(Measured::allocatedBytes).orElseThrow()));
    }
    md.append('\n');
    return md.toString();
  }

  private String pairs() {
    List<Measured> top = of(Side.BATCHFETCH);
    List<Measured> bottom = of(Side.RAW);
    int n = Math.min(top.size(), bottom.size());
    double[] ratios = new double[n];
    for (int i = 0; i < n; i++) {
      ratios[i] = (double) top.get(i).nanos() / bottom.get(i).nanos();
    }
    String each =
        java.util.Arrays.stream(ratios)
            .mapToObj(r -> String.format(Locale.ROOT, "%.3f", r))
            .collect(Collectors.joining(", "));
    double[] sorted = ratios.clone();
    java.util.Arrays.sort(sorted);
    return String.format(
        Locale.ROOT,
        "%s (median %.3f, min %.3f, max %.3f)",
        each,
        sorted[(n - 1) / 2],
        sorted[0],
        sorted[n - 1]);
  }
}
