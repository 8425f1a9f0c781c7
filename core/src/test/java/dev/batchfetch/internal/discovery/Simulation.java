package dev.batchfetch.internal.discovery;

import dev.batchfetch.internal.quota.QuotaHeaders;
import dev.batchfetch.internal.quota.QuotaSignal;
import dev.batchfetch.testing.QuotaModel;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A client of width W fetching from a {@link QuotaModel} in virtual time, paced by a {@link Pacer}
 * through a GCRA limiter with no burst (the engine's {@code SmoothRateLimiter} at burst 0: one call
 * per interval, never two closer), whose interval follows the pacer's rate as it changes: the next
 * call is due one interval of the current rate after the last one, so a rate raised takes effect at
 * once rather than after a schedule planned at the slower one. Deterministic: one seeded {@link
 * Random} draws the network's jitter, and events at the same time keep the order they were
 * scheduled in.
 *
 * <p>Every input is retried after a throttled answer, paced like the rest, until a time budget from
 * its first attempt runs out: then it fails. The supply of inputs is endless; the run stops at its
 * duration.
 */
final class Simulation {
  static final long S = 1_000_000_000L;
  static final long MS = 1_000_000L;
  static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  /** The network and the server's own time. */
  record Network(long oneWayNanos, long jitterNanos, long serviceNanos) {
    /** Loopback-like: 1 ms each way, up to 5 ms of jitter, half a second of service. */
    static final Network DEFAULT = new Network(MS, 5 * MS, 500 * MS);

    long roundTrip() {
      return 2 * oneWayNanos + serviceNanos;
    }
  }

  private record Event(long time, long seq, int type, Attempt attempt) {}

  private static final int ARRIVE = 0;
  private static final int ANSWER = 1;
  private static final int WAKE = 2;

  private static final class Attempt {
    final long firstSent;
    long sent;
    QuotaModel.Reply reply = QuotaModel.Reply.ok();

    Attempt(long firstSent) {
      this.firstSent = firstSent;
    }
  }

  private final QuotaModel server;
  private final Pacer pacer;
  private final int width;
  private final Network network;
  private final long duration;
  private final long budget;
  private final Random random;
  private final PriorityQueue<Event> events =
      new PriorityQueue<>(
          (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private final ArrayDeque<Attempt> retries = new ArrayDeque<>();
  private long seq;
  private int inFlight;
  private long lastStart = Long.MIN_VALUE;
  private long wakeAt = Long.MIN_VALUE;
  private final Figures.Builder figures;

  Simulation(
      QuotaModel server,
      Pacer pacer,
      int width,
      Network network,
      long durationNanos,
      long budgetNanos,
      long seed) {
    this.server = server;
    this.pacer = pacer;
    this.width = width;
    this.network = network;
    this.duration = durationNanos;
    this.budget = budgetNanos;
    this.random = new Random(seed);
    this.figures =
        new Figures.Builder(
            server.toString(),
            pacer.toString(),
            width,
            Math.min(server.quota(), width * (double) S / network.roundTrip()),
            server.quota());
  }

  /** The jitter's seed: 1, or {@code -Dbatchfetch.simulation.seed=N} to explore others. */
  static final long SEED = Long.getLong("batchfetch.simulation.seed", 1);

  /** Runs the simulation with seeds 1 to 4: what a test asserts must hold whatever the jitter. */
  static List<Figures> runSeeds(QuotaModel server, Supplier<Pacer> pacer, int width) {
    List<Figures> runs = new ArrayList<>();
    for (long seed = 1; seed <= 4; seed++) {
      runs.add(
          new Simulation(server.fresh(), pacer.get(), width, Network.DEFAULT, 60 * S, 60 * S, seed)
              .run());
    }
    return runs;
  }

  /** Runs one simulation with the defaults: 60 s, a budget of 60 s per input, {@link #SEED}. */
  static Figures run(QuotaModel server, Supplier<Pacer> pacer, int width) {
    return new Simulation(server.fresh(), pacer.get(), width, Network.DEFAULT, 60 * S, 60 * S, SEED)
        .run();
  }

  /** The run's trace, second by second, after {@link #run()}. */
  String trace() {
    return figures.trace();
  }

  Figures run() {
    trySend(0);
    while (!events.isEmpty()) {
      Event e = events.poll();
      if (e.time > duration) {
        break;
      }
      switch (e.type) {
        case ARRIVE -> arrive(e.time, e.attempt);
        case ANSWER -> answer(e.time, e.attempt);
        default -> wakeAt = Long.MIN_VALUE;
      }
      trySend(e.time);
    }
    return figures.build(duration);
  }

  private void schedule(long time, int type, Attempt attempt) {
    events.add(new Event(time, seq++, type, attempt));
  }

  private long jitter() {
    return network.oneWayNanos() + (long) (random.nextDouble() * network.jitterNanos());
  }

  private void trySend(long now) {
    while (inFlight < pacer.window(width)) {
      long start = now;
      if (pacer.hasPause() && pacer.pausedUntil() - start > 0) {
        start = pacer.pausedUntil();
      }
      double rate = pacer.rate();
      long interval = rate == Double.POSITIVE_INFINITY ? 0 : (long) Math.ceil(S / rate);
      if (interval > 0 && lastStart != Long.MIN_VALUE) {
        start = Math.max(start, lastStart + interval); // the schedule follows the rate both ways
      }
      if (start - now > 0) {
        if (wakeAt == Long.MIN_VALUE || start - wakeAt < 0) {
          wakeAt = start;
          schedule(start, WAKE, new Attempt(start));
        }
        return;
      }
      lastStart = now;
      Attempt attempt = retries.isEmpty() ? new Attempt(now) : retries.poll();
      attempt.sent = now;
      inFlight++;
      schedule(now + jitter(), ARRIVE, attempt);
    }
  }

  private void arrive(long now, Attempt attempt) {
    attempt.reply = server.answer(now);
    figures.arrival(now, attempt.reply.status());
    schedule(now + network.serviceNanos() + jitter(), ANSWER, attempt);
  }

  private void answer(long now, Attempt attempt) {
    inFlight--;
    Instant at = EPOCH.plusNanos(now);
    QuotaSignal signal = QuotaHeaders.parse(attempt.reply.headers(), at);
    Outcome outcome = Outcome.of(attempt.sent, now, attempt.reply.status(), signal, at);
    figures.answer(now, attempt.sent, outcome.kind(), !signal.quotas().isEmpty());
    pacer.onOutcome(outcome);
    figures.rate(now, pacer.rate());
    if (outcome.kind() == Outcome.Kind.THROTTLED) {
      if (now - attempt.firstSent > budget) {
        figures.failed();
      } else {
        retries.addLast(attempt);
      }
    }
  }
}
