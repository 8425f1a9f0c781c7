package dev.batchfetch.internal.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one simulated run measured, by the acceptance criteria of quota discovery (issue 11).
 *
 * @param server the server model
 * @param pacer the pacer
 * @param width calls in flight at most
 * @param ideal the best accepted rate the quota and the width allow, calls per second
 * @param quota the server's quota, calls per second
 * @param throughput accepted calls per second after the first 5 s, as a share of {@code ideal}
 * @param rateAt5s the pacer's rate at 5 s, calls per second (infinite: not pacing)
 * @param throttledAfter5s the share of attempts answered 429 among those arriving after 5 s
 * @param throttled the share of attempts answered 429 over the whole run
 * @param throttledAfterHeaders 429s for attempts sent after the first answer with quota headers (-1
 *     when no answer had any)
 * @param failed inputs that ran out of their time budget
 * @param attempts attempts that reached the server
 * @param perSecond the pacer's rate at the end of each second of the run
 */
record Figures(
    String server,
    String pacer,
    int width,
    double ideal,
    double quota,
    double throughput,
    double rateAt5s,
    double throttledAfter5s,
    double throttled,
    long throttledAfterHeaders,
    long failed,
    long attempts,
    List<Double> perSecond) {

  static final long WARM_UP = 5 * Simulation.S;

  /** Whether the pacer's rate at 5 s is within {@code share} of the quota. */
  boolean rateAt5sWithin(double share) {
    return Math.abs(rateAt5s - quota) <= share * quota;
  }

  String row() {
    return String.format(
        Locale.ROOT,
        "| %s | %s | %d | %.1f | %.1f%% | %s | %.2f%% | %.2f%% | %s | %d | %d |",
        server,
        pacer,
        width,
        ideal,
        100 * throughput,
        rateAt5s == Double.POSITIVE_INFINITY ? "-" : String.format(Locale.ROOT, "%.1f", rateAt5s),
        100 * throttledAfter5s,
        100 * throttled,
        throttledAfterHeaders < 0 ? "-" : Long.toString(throttledAfterHeaders),
        failed,
        attempts);
  }

  static String header() {
    return "| server | pacer | width | ideal/s | throughput after 5 s | rate at 5 s | 429 after 5 s"
        + " | 429 overall | 429 after headers | failed | attempts |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|";
  }

  /** Collects the counts of one run. */
  static final class Builder {
    private final String server;
    private final String pacer;
    private final int width;
    private final double ideal;
    private final double quota;
    private long arrivals;
    private long arrivalsAfter;
    private long throttled;
    private long throttledAfter;
    private long acceptedAfter;
    private double rateAt5s = Double.POSITIVE_INFINITY;
    private long firstHeaders = Long.MIN_VALUE;
    private long throttledAfterHeaders;
    private long failed;
    private final double[] perSecond = new double[61];
    private final int[] acceptedPerSecond = new int[61];
    private final int[] refusedPerSecond = new int[61];

    Builder(String server, String pacer, int width, double ideal, double quota) {
      this.server = server;
      this.pacer = pacer;
      this.width = width;
      this.ideal = ideal;
      this.quota = quota;
      java.util.Arrays.fill(perSecond, Double.POSITIVE_INFINITY);
    }

    void arrival(long at, int status) {
      int second = (int) Math.min(perSecond.length - 1, at / Simulation.S);
      if (status == 429) {
        refusedPerSecond[second]++;
      } else {
        acceptedPerSecond[second]++;
      }
      arrivals++;
      boolean late = at >= WARM_UP;
      if (late) {
        arrivalsAfter++;
      }
      if (status == 429) {
        throttled++;
        if (late) {
          throttledAfter++;
        }
      } else if (late) {
        acceptedAfter++;
      }
    }

    void answer(long at, long sent, Outcome.Kind kind, boolean headers) {
      if (kind == Outcome.Kind.THROTTLED && firstHeaders != Long.MIN_VALUE && sent > firstHeaders) {
        throttledAfterHeaders++;
      }
      if (headers && firstHeaders == Long.MIN_VALUE) {
        firstHeaders = at;
      }
    }

    void rate(long at, double rate) {
      if (at <= WARM_UP) {
        rateAt5s = rate;
      }
      int second = (int) Math.min(perSecond.length - 1, at / Simulation.S);
      perSecond[second] = rate;
    }

    /** Each second: the rate at its end, and the calls accepted and refused in it. */
    String trace() {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < perSecond.length - 1; i++) {
        out.append(
            String.format(
                Locale.ROOT,
                "%d:%.1f/%d/%d ",
                i,
                perSecond[i],
                acceptedPerSecond[i],
                refusedPerSecond[i]));
      }
      return out.toString();
    }

    private List<Double> perSecondList() {
      List<Double> list = new ArrayList<>();
      for (double rate : perSecond) {
        list.add(rate);
      }
      return list;
    }

    void failed() {
      failed++;
    }

    Figures build(long duration) {
      double seconds = (duration - WARM_UP) / (double) Simulation.S;
      return new Figures(
          server,
          pacer,
          width,
          ideal,
          quota,
          acceptedAfter / (ideal * seconds),
          rateAt5s,
          arrivalsAfter == 0 ? 0 : throttledAfter / (double) arrivalsAfter,
          arrivals == 0 ? 0 : throttled / (double) arrivals,
          firstHeaders == Long.MIN_VALUE ? -1 : throttledAfterHeaders,
          failed,
          arrivals,
          perSecondList());
    }
  }
}
