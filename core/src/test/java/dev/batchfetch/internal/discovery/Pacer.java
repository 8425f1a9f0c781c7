package dev.batchfetch.internal.discovery;

import java.time.Duration;

/**
 * What paces the simulated client: a rate, a pause and a cap on calls in flight, moved by each
 * outcome. The controller under test and the published designs it is compared with. Not
 * thread-safe.
 */
interface Pacer {
  /** Calls per second; positive infinity for no pacing. */
  double rate();

  /** No call starts before this, if {@link #hasPause()}. */
  long pausedUntil();

  boolean hasPause();

  /** How many calls may be in flight, given the client's own width. */
  int window(int width);

  void onOutcome(Outcome outcome);

  /** The controller of this package, with its slow start. */
  static Pacer discovery(double ceiling) {
    return discovery(ceiling, true);
  }

  /** The controller of this package; without slow start, the full width until a sign. */
  static Pacer discovery(double ceiling, boolean slowStart) {
    RateController controller = new RateController(ceiling, Duration.ofMinutes(5));
    return new Pacer() {
      @Override
      public double rate() {
        return controller.rate();
      }

      @Override
      public long pausedUntil() {
        return controller.pausedUntil();
      }

      @Override
      public boolean hasPause() {
        return controller.hasPause();
      }

      @Override
      public int window(int width) {
        return slowStart ? controller.window(width) : width;
      }

      @Override
      public void onOutcome(Outcome outcome) {
        controller.onOutcome(outcome);
      }

      @Override
      public String toString() {
        return slowStart ? "discovery" : "discovery, no slow start";
      }
    };
  }

  /**
   * Loss-based AIMD on concurrency, as Netflix's concurrency-limits {@code AIMDLimit}: every
   * throttled answer multiplies the limit by 0.9, every accepted one adds 1 while at least half of
   * the limit is in use. Starts at the client's width (it sends as the policy allows) and paces no
   * rate; it honours Retry-After like the rest.
   */
  static Pacer aimdConcurrency() {
    return new Pacer() {
      private double limit = Double.NaN;
      private int inFlight;
      private long pausedUntil;
      private boolean paused;

      @Override
      public double rate() {
        return Double.POSITIVE_INFINITY;
      }

      @Override
      public long pausedUntil() {
        return pausedUntil;
      }

      @Override
      public boolean hasPause() {
        return paused;
      }

      @Override
      public int window(int width) {
        if (Double.isNaN(limit)) {
          limit = width;
        }
        inFlight = width; // only compared with the limit: the client is always at its window
        return (int) Math.max(1, Math.min(width, limit));
      }

      @Override
      public void onOutcome(Outcome o) {
        if (o.kind() == Outcome.Kind.THROTTLED) {
          limit = Math.max(1, limit * 0.9);
          pause(o);
        } else if (o.kind() == Outcome.Kind.ACCEPTED && inFlight * 2 >= limit) {
          limit = limit + 1;
        }
      }

      private void pause(Outcome o) {
        long until = Pacers.retryAfter(o);
        if (until != Long.MIN_VALUE && (!paused || until - pausedUntil > 0)) {
          pausedUntil = until;
          paused = true;
        }
      }

      @Override
      public String toString() {
        return "AIMD concurrency";
      }
    };
  }

  /**
   * A rate cut by 0.7 on every throttled answer, as the AWS SDK's adaptive retry mode cuts (its
   * CUBIC recovery simplified to an additive increase of about 0.5 calls/s each second); the first
   * throttled answer starts it at the rate accepted over the last second.
   */
  static Pacer multiplicativeCut() {
    return new Pacer() {
      private double rate = Double.POSITIVE_INFINITY;
      private final AcceptedLog accepted = new AcceptedLog();
      private long pausedUntil;
      private boolean paused;

      @Override
      public double rate() {
        return rate;
      }

      @Override
      public long pausedUntil() {
        return pausedUntil;
      }

      @Override
      public boolean hasPause() {
        return paused;
      }

      @Override
      public int window(int width) {
        return width;
      }

      @Override
      public void onOutcome(Outcome o) {
        if (o.kind() == Outcome.Kind.THROTTLED) {
          if (rate == Double.POSITIVE_INFINITY) {
            rate = Math.max(1, accepted.rate(o.sentNanos() - 1_000_000_000L, o.sentNanos()));
          }
          rate = Math.max(0.1, rate * 0.7);
          long until = Pacers.retryAfter(o);
          if (until != Long.MIN_VALUE && (!paused || until - pausedUntil > 0)) {
            pausedUntil = until;
            paused = true;
          }
        } else if (o.kind() == Outcome.Kind.ACCEPTED) {
          accepted.add(o.sentNanos());
          if (rate < Double.POSITIVE_INFINITY) {
            rate += 0.5 / rate;
          }
        }
      }

      @Override
      public String toString() {
        return "multiplicative cut";
      }
    };
  }
}
