package dev.batchfetch.internal.discovery;

import dev.batchfetch.internal.quota.QuotaSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Learns the rate one host (or one quota partition of it) accepts, from the outcomes of the calls
 * sent to it, and says at what rate calls may be sent now and until when they must wait.
 *
 * <pre>{@code
 * RateController host = new RateController(Double.POSITIVE_INFINITY, Duration.ofMinutes(5));
 * host.onOutcome(Outcome.of(sentNanos, answeredNanos, 429, signal, Instant.now()));
 * double perSecond = host.rate();       // infinite until the first sign of a quota
 * long notBefore = host.pausedUntil();  // on the same nanosecond clock as the outcomes
 * }</pre>
 *
 * <p>The rules, each for a reason written down in {@code docs/discovery-design.md}:
 *
 * <ul>
 *   <li><b>Unlimited until a sign.</b> The rate is infinite (the caller's policy and ceiling alone
 *       apply) until a 429, a 503 with {@code Retry-After}, or quota headers.
 *   <li><b>Headers seed it exactly.</b> The lowest of every announced quota's {@code limit /
 *       window} and of {@code remaining / (reset - now)} ({@link HeaderRates}) bounds the rate from
 *       the next call on; a quota with nothing left pauses until its reset.
 *   <li><b>One decrease per window, anchored to what the server accepted.</b> A throttled answer
 *       for a call sent after the last decrease, at least {@link #MIN_WINDOW} after it, sets the
 *       rate just below ({@link #MARGIN}) the rate of calls the server accepted over the span
 *       before that call was sent (from the last change, {@link #MIN_WINDOW} to {@link #MAX_WINDOW}
 *       long). Under overload a token bucket accepts exactly its refill rate, however fast it is
 *       sent to, so this lands on the quota in one step; the other throttled answers of the same
 *       window, already in flight, change nothing. Answers still coming in for calls of the
 *       measured span raise the rate to what they add ({@link #onOutcome}).
 *   <li><b>Search, then a slow, bounded probe.</b> After the first decrease (measured from one
 *       burst, not yet a rate) the rate doubles every quiet window until the next throttled answer;
 *       from then on it waits a hold time after each decrease ({@link #MIN_HOLD}, doubled each time
 *       the server refuses at the same level again, up to {@link #MAX_HOLD}), then rises by 1%, 2%,
 *       3%... of the level per quiet window. It rises only while the calls actually go at {@link
 *       #USE} of the rate or more, and never above the ceiling or the headers' rate.
 *   <li><b>Retry-After pauses</b>, the longest wins, capped at the maximum pause; so does the reset
 *       of an exhausted quota.
 * </ul>
 *
 * <p>Time is whatever the caller's nanosecond clock says: the controller has no thread and reads no
 * clock, so a test drives it in virtual time. Not thread-safe: one owner (the admission loop) calls
 * it.
 */
public final class RateController {
  /** The shortest span a decrease is measured over, and the least time between two decreases. */
  static final long MIN_WINDOW = TimeUnit.SECONDS.toNanos(1);

  /** The longest span a decrease is measured over. */
  static final long MAX_WINDOW = TimeUnit.SECONDS.toNanos(8);

  /** How far below the accepted rate a decrease sets the rate. */
  static final double MARGIN = 0.03;

  /** The least rate, calls per second: one call in 100 s. */
  static final double MIN_RATE = 0.01;

  /** A decrease keeps at least this share of the rate it cuts (the first one excepted). */
  static final double MAX_CUT = 0.5;

  /** Quiet time after a decrease before probing upward: the least and the most. */
  static final long MIN_HOLD = TimeUnit.SECONDS.toNanos(2);

  static final long MAX_HOLD = TimeUnit.SECONDS.toNanos(64);

  /** Below the level, each quiet window adds at least this share of the rate. */
  static final double PROBE_STEP = 0.01;

  /** Above the level last measured, each step adds this share, one step per hold time. */
  static final double ABOVE_STEP = 0.05;

  /** The rate rises only while the calls accepted go at least this share of it. */
  static final double USE = 0.8;

  /** Calls in flight to a host not heard from yet; each accepted answer adds one (slow start). */
  static final int INITIAL_WINDOW = 8;

  /** Two decreases measured within this share of each other find the same level. */
  static final double SAME_LEVEL = 0.1;

  private enum Phase {
    UNLIMITED,
    SEARCH,
    STEADY
  }

  private final double ceiling;
  private final long maxPauseNanos;
  private final AcceptedLog accepted = new AcceptedLog();

  private Phase phase = Phase.UNLIMITED;
  private double learned = Double.POSITIVE_INFINITY;
  private double headerRate = Double.POSITIVE_INFINITY;
  private double level = Double.NaN;
  private long hold = MIN_HOLD;
  private int aboveSteps;
  private long window = INITIAL_WINDOW;
  private boolean sentAny;
  private long firstSent;
  private long pacedSince;
  private long lastDecrease;
  private long lastChange;
  private double beforeIncrease = Double.NaN; // the rate before the last increase, if one came last
  private double wall = Double.NaN; // the rate in force at the last decrease
  private long probeFrom;
  private long acceptedSinceProbe;
  private boolean paused;
  private long pausedUntil;
  private final long[] pauseFrom = new long[8];
  private final long[] pauseTo = new long[8];
  private int pauses;

  // The span the last decrease was measured over, its count so far, and the rate it may reach.
  private boolean refining;
  private long spanFrom;
  private long spanTo;
  private long spanCount;
  private double spanCap;

  /**
   * A controller for a host with no sign of a quota yet.
   *
   * @param ceiling the configured rate, calls per second, never exceeded; positive infinity for
   *     none
   * @param maxPause the longest pause a server's {@code Retry-After} or reset may impose
   * @throws IllegalArgumentException if {@code ceiling} is not positive, or {@code maxPause} is
   *     negative
   * @throws NullPointerException if {@code maxPause} is null
   */
  public RateController(double ceiling, Duration maxPause) {
    if (!(ceiling > 0)) {
      throw new IllegalArgumentException("ceiling must be positive, was " + ceiling);
    }
    if (maxPause.isNegative()) {
      throw new IllegalArgumentException("maxPause must not be negative, was " + maxPause);
    }
    this.ceiling = ceiling;
    this.maxPauseNanos = saturatedNanos(maxPause);
  }

  /**
   * Goes on from a rate learned before, by this process or another (a host forgotten while idle,
   * met again): paced at {@code rate} from {@code nowNanos}, which it probes upward from as from a
   * level it measured, and a throttled answer from then on counts at once.
   *
   * @throws IllegalArgumentException if {@code rate} is not positive and finite
   */
  public void resume(double rate, long nowNanos) {
    if (!(rate > 0) || rate == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException("rate must be positive and finite, was " + rate);
    }
    phase = Phase.STEADY;
    learned = Math.max(MIN_RATE, rate);
    level = learned;
    wall = learned;
    sentAny = true;
    firstSent = nowNanos;
    pacedSince = nowNanos;
    lastDecrease = nowNanos - MIN_WINDOW;
    lastChange = nowNanos;
    probeFrom = nowNanos;
  }

  /**
   * Whether the rate can still come down: the host is not paced yet, or paced above the least rate.
   * While it can, a throttled answer is a signal to slow down rather than a failure.
   */
  public boolean canSlowDown() {
    return !isPaced() || rate() > MIN_RATE;
  }

  /**
   * The rate calls may be sent at now, calls per second: positive infinity while nothing limits it
   * (no ceiling, no sign of a quota yet).
   */
  public double rate() {
    return Math.max(MIN_RATE, Math.min(ceiling, Math.min(learned, headerRate)));
  }

  /**
   * How many calls may be in flight, of the {@code width} the caller's policy allows: until the
   * first sign of a quota, a slow start of {@link #INITIAL_WINDOW} that grows by one with each
   * accepted answer (doubling every round trip, as TCP's), so that a quota met at full width costs
   * a few refusals rather than a width's worth; {@code width} itself once the host is paced.
   */
  public int window(int width) {
    return isPaced() || window >= width ? width : (int) window;
  }

  /** Whether the host is paced by what it said: a sign of a quota has been seen. */
  public boolean isPaced() {
    return phase != Phase.UNLIMITED || headerRate < Double.POSITIVE_INFINITY;
  }

  /** Whether a pause was ever imposed; if so, {@link #pausedUntil()} says until when. */
  public boolean hasPause() {
    return paused;
  }

  /** No call may start before this, on the outcomes' clock, if {@link #hasPause()}. */
  public long pausedUntil() {
    return pausedUntil;
  }

  /**
   * Hears how one attempt ended; its answers must come in the order they arrived.
   *
   * @throws NullPointerException if {@code outcome} is null
   */
  public void onOutcome(Outcome outcome) {
    long now = outcome.answeredNanos();
    if (!sentAny || outcome.sentNanos() - firstSent < 0) {
      firstSent = outcome.sentNanos();
      sentAny = true;
    }
    QuotaSignal signal = outcome.signal();
    Instant hold =
        outcome.kind() == Outcome.Kind.THROTTLED
            ? signal.holdUntil()
            : signal.remaining() == 0 ? signal.reset() : null;
    if (hold != null) {
      long wait = saturatedNanos(Duration.between(outcome.answeredAt(), hold));
      pauseUntil(now, now + Math.max(0, Math.min(wait, maxPauseNanos)));
    }
    double announced = HeaderRates.of(signal, outcome.answeredAt());
    // A quota of one call less often than the longest pause a server may impose is no pace to keep:
    // the admission's decision blocks the host for a while instead (a wait past the cap), as it
    // does without discovery, rather than parking the batch behind one call a year.
    if (announced < Double.POSITIVE_INFINITY && 1e9 / announced <= maxPauseNanos) {
      headerRate = Math.max(MIN_RATE, announced);
    }
    switch (outcome.kind()) {
      case ACCEPTED -> {
        window = Math.min(Integer.MAX_VALUE, window + 1);
        accepted(outcome.sentNanos(), now);
      }
      case THROTTLED -> throttled(outcome.sentNanos(), now);
      case OTHER -> {}
    }
  }

  private void pauseUntil(long now, long until) {
    if (!paused || until - pausedUntil > 0) {
      long from = paused && pausedUntil - now > 0 ? pausedUntil : now;
      pauseFrom[pauses % pauseFrom.length] = from;
      pauseTo[pauses % pauseTo.length] = until;
      pauses = pauses == Integer.MAX_VALUE ? pauseFrom.length : pauses + 1;
      pausedUntil = until;
      paused = true;
    }
  }

  /** How long of [from, to] the host was paused, as far as the pauses remembered tell. */
  private long pausedWithin(long from, long to) {
    long total = 0;
    for (int i = 0; i < Math.min(pauses, pauseFrom.length); i++) {
      long a = Math.max(from, pauseFrom[i]);
      long b = Math.min(to, pauseTo[i]);
      total += Math.max(0, b - a);
    }
    return Math.min(total, Math.max(0, to - from - MIN_WINDOW / 2));
  }

  private void accepted(long sent, long now) {
    accepted.add(sent);
    acceptedSinceProbe++;
    if (refining && sent - spanFrom >= 0 && spanTo - sent >= 0) {
      spanCount++;
      double refined = Math.min(spanCap, spanCount * 1e9 / (spanTo - spanFrom) * (1 - MARGIN));
      learned = Math.max(learned, refined);
    } else if (refining && sent - spanTo > 0) {
      refining = false; // answers for calls after the span: its count is complete
    }
    probe(now);
  }

  private void throttled(long sent, long now) {
    if (phase != Phase.UNLIMITED && (sent - lastDecrease < 0 || now - lastDecrease < MIN_WINDOW)) {
      return; // sent before the last decrease, or in the same window: already answered for
    }
    // The span reaches back MAX_WINDOW, whatever changed meanwhile: under overload a server accepts
    // its own rate however fast it is sent to, and a longer span averages a fixed window's edges.
    // The unlimited start's burst is left out: it measures the server's burst, not its rate.
    // A span shorter than MIN_WINDOW is stretched to it only when it holds a burst sent at once;
    // a paced start (a ceiling from the first call) is measured over the time it has run.
    double current = rate();
    long since = phase == Phase.UNLIMITED ? firstSent : pacedSince;
    long from = Math.max(since, sent - MAX_WINDOW);
    if (sent - from < MIN_WINDOW
        && (current == Double.POSITIVE_INFINITY || phase != Phase.UNLIMITED)) {
      from = sent - MIN_WINDOW;
    }
    // Pauses count: what the server accepted over the span is the rate its pauses leave.
    double measured = sent - from < MIN_WINDOW / 4 ? current : accepted.rate(from, sent);
    // What the span really holds, for late answers to add to; measured may be floored below.
    long countedInSpan = Math.round(measured * (sent - from) / 1e9);
    if (phase == Phase.UNLIMITED) {
      pacedSince = now;
    }
    if (phase == Phase.UNLIMITED && current == Double.POSITIVE_INFINITY) {
      // Sent at full width: the span measured a burst, not a rate; search from it. When the very
      // first answers are refusals nothing was accepted yet: count one call per span, the least
      // that says the host takes calls at all, rather than a rate of zero.
      measured = Math.max(measured, 1e9 / (sent - from));
      learned = Math.max(MIN_RATE, measured * (1 - MARGIN));
      spanCap = Double.POSITIVE_INFINITY;
      phase = Phase.SEARCH;
    } else {
      if (phase == Phase.STEADY && Math.abs(current - wall) <= SAME_LEVEL * wall) {
        hold = Math.min(2 * hold, MAX_HOLD); // refused again at the same rate: probe less often
      } else {
        hold = MIN_HOLD;
      }
      double target = Math.min(current, measured) * (1 - MARGIN);
      if (!Double.isNaN(beforeIncrease)) {
        // The last rate known to pass: above a level, a probe goes back to it; while searching,
        // no lower than it.
        target =
            phase == Phase.SEARCH
                ? Math.max(target, beforeIncrease)
                : Math.min(target, beforeIncrease);
      }
      learned = Math.max(MIN_RATE, Math.max(current * MAX_CUT, target));
      spanCap = current * (1 - MARGIN);
      phase = Phase.STEADY;
    }
    wall = current;
    beforeIncrease = Double.NaN;
    level = measured;
    refining = true;
    spanFrom = from;
    spanTo = sent;
    spanCount = countedInSpan;
    lastDecrease = now;
    lastChange = now;
    probeFrom = now;
    acceptedSinceProbe = 0;
    aboveSteps = 0;
  }

  /**
   * Raises the rate after a quiet window in which the calls went at {@link #USE} of it: doubling
   * while searching; then back up to just below the level last measured, by growing steps, and
   * above it only by {@link #ABOVE_STEP} per hold time.
   */
  private void probe(long now) {
    if (phase == Phase.UNLIMITED || now - probeFrom < MIN_WINDOW) {
      return;
    }
    double current = rate();
    double used = acceptedSinceProbe * 1e9 / (now - probeFrom - pausedWithin(probeFrom, now));
    double top = Math.min(ceiling, headerRate);
    probeFrom = now; // a new window to judge
    acceptedSinceProbe = 0;
    if (used < USE * current || learned >= top) {
      learned = Math.min(learned, top);
      return;
    }
    double floor = level * (1 - MARGIN);
    if (phase == Phase.SEARCH) {
      learned = Math.min(top, 2 * learned);
    } else if (learned < floor) {
      learned += Math.max((floor - learned) / 2, learned * PROBE_STEP); // halves the gap
    } else if (now - lastChange >= Math.min(MAX_HOLD, hold << Math.min(aboveSteps, 6))) {
      aboveSteps++; // each step above the level waits twice as long as the one before
      learned = Math.min(top, learned * (1 + ABOVE_STEP));
    } else {
      return;
    }
    beforeIncrease = current;
    lastChange = now;
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  @Override
  public String toString() {
    return "RateController{" + phase + ", rate=" + rate() + ", level=" + level + "}";
  }
}
