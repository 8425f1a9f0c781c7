package dev.batchfetch.internal.admission;

import dev.batchfetch.HostLimits;
import dev.batchfetch.RateLimit;
import dev.batchfetch.internal.discovery.Discovery;
import dev.batchfetch.internal.discovery.HostQuota;
import dev.batchfetch.internal.limit.Bulkheads;
import dev.batchfetch.internal.limit.GcraLimiter;
import dev.batchfetch.internal.limit.Limiter;
import dev.batchfetch.internal.limit.Limiters;
import dev.batchfetch.internal.time.Ticker;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One host's admission state: its own rate limiter and bulkhead, the inputs waiting for it, and any
 * pause the server asked for. It changes its own state; the loop asks and tells it. Everything but
 * the bulkhead and the limiter is touched only by the admission loop, one thread at a time, so
 * nothing here needs a lock.
 */
final class Host {
  final String key;
  final Bulkhead bulkhead;

  /**
   * The host's limiter: its own (one for each configured rate, and one that follows what discovery
   * learns), or the user's. Read by attempts' threads (to drain it).
   */
  private final Limiter limiter;

  /** The limiters of the configured rates, which a quota the server announces may slow down. */
  private final List<GcraLimiter> configured;

  /** Quota discovery for this host, or null when it is off or the user's limiter sets the pace. */
  private final @Nullable HostQuota quota;

  /** Calls that hold the host's slots: taken off the queue and not yet ended. */
  private int calls;

  private final int maxConcurrent;

  private final ArrayDeque<Exchange> queue = new ArrayDeque<>();

  /** No call starts before this (the server's Retry-After, or its quota's reset). */
  private long pausedUntilNanos;

  /** Until this, inputs fail at once as rate limited: the server asked for a wait past the cap. */
  private long blockedUntilNanos;

  /** A timer or a remote limiter will hand this host back to the loop: it is not ready before. */
  private boolean waiting;

  /** Whether the host is in the loop's ready queue, and the sequence it is ordered by there. */
  private boolean inReady;

  private long readyKey;

  /** Whether the host waits in the loop's stalled list, for a batch's consumer to catch up. */
  private boolean stalled;

  Host(String key, HostLimits limits, @Nullable Limiter users, Ticker ticker, Discovery discovery) {
    this.key = key;
    this.bulkhead = Bulkheads.of(key, limits.maxConcurrent());
    this.maxConcurrent = limits.maxConcurrent();
    if (users != null) {
      this.limiter = users;
      this.configured = List.of();
      this.quota = null;
      return;
    }
    this.configured = Limiters.own(key, limits.rateLimits(), ticker);
    GcraLimiter pace = Limiters.own(key, List.of(RateLimit.unlimited()), ticker).get(0);
    long now = ticker.nanoTime();
    this.quota = discovery.join(key, ceiling(limits.rateLimits()), pace, now, ticker.instant());
    List<GcraLimiter> all = new ArrayList<>(configured);
    if (quota != null) {
      all.add(pace);
      Instant stored = quota.storedPause();
      if (stored != null) {
        pauseUntil(now + nanosBetween(ticker.instant(), stored));
      }
    }
    this.limiter = Limiters.allOf(all);
  }

  /** From {@code from} to {@code to} in nanoseconds, saturated rather than overflowing. */
  static long nanosBetween(Instant from, Instant to) {
    try {
      return Duration.between(from, to).toNanos();
    } catch (ArithmeticException e) {
      return to.isBefore(from) ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
    }
  }

  /** The slowest steady rate among {@code limits}, calls per second: discovery's ceiling. */
  private static double ceiling(List<RateLimit> limits) {
    double ceiling = Double.POSITIVE_INFINITY;
    for (RateLimit limit : limits) {
      if (!limit.isUnlimited()) {
        ceiling = Math.min(ceiling, 1e9 / limit.interval().toNanos());
      }
    }
    return ceiling;
  }

  Limiter limiter() {
    return limiter;
  }

  /** Quota discovery for this host, or null when it is off or the user's limiter sets the pace. */
  @Nullable HostQuota quota() {
    return quota;
  }

  /**
   * The slowest of the host's configured rates as they stand (a quota the server announced may have
   * slowed them), or null when it has none of its own: a limiter of the user's sets the pace, or
   * only discovery does. For events.
   */
  @Nullable RateLimit rate() {
    RateLimit slowest = null;
    for (GcraLimiter own : configured) {
      RateLimit rate = own.rateLimit();
      if (rate.isUnlimited()) {
        continue;
      }
      if (slowest == null || rate.interval().compareTo(slowest.interval()) > 0) {
        slowest = rate;
      }
    }
    return slowest;
  }

  /**
   * Slows this host to {@code announced}, the quota its server says it enforces, where a configured
   * rate is faster; never speeds it up. A user's limiter is left alone.
   */
  void slowTo(RateLimit announced) {
    for (GcraLimiter own : configured) {
      if (announced.interval().compareTo(own.rateLimit().interval()) > 0) {
        own.follow(announced);
      }
    }
  }

  /**
   * Whether another call may take the host's slots now: fewer are under way than discovery's window
   * allows, of {@code width}.
   */
  boolean hasRoom(int width) {
    return quota == null || calls < quota.window(Math.min(width, maxConcurrent));
  }

  /** A call took the host's slots. */
  void took() {
    calls++;
  }

  /** A call gave the host's slots back. */
  void gaveBack() {
    calls--;
  }

  /** The fetcher forgets this idle host: what discovery learned of it stays in its store. */
  void forget(Discovery discovery) {
    if (quota != null) {
      discovery.leave(key, quota);
    }
  }

  /**
   * No call starts before {@code untilNanos}; a shorter pause never cuts a longer one short.
   *
   * @return whether the pause was lengthened
   */
  boolean pauseUntil(long untilNanos) {
    if (untilNanos - pausedUntilNanos > 0) {
      pausedUntilNanos = untilNanos;
      limiter.holdUntil(untilNanos);
      return true;
    }
    return false;
  }

  /**
   * Until {@code untilNanos} the host's inputs fail as rate limited, unsent.
   *
   * @return whether the block was lengthened
   */
  boolean blockUntil(long untilNanos) {
    if (untilNanos - blockedUntilNanos > 0) {
      blockedUntilNanos = untilNanos;
      return true;
    }
    return false;
  }

  /** How long from {@code now} the host stays paused; zero or less when it is not. */
  long pausedFor(long now) {
    return pausedUntilNanos - now;
  }

  /** How long from {@code now} the host stays blocked; zero or less when it is not. */
  long blockedFor(long now) {
    return blockedUntilNanos - now;
  }

  /** Queues {@code exchange}: at the head for a retry or a call put back, else at the tail. */
  void enqueue(Exchange exchange, boolean first) {
    if (first) {
      queue.addFirst(exchange);
    } else {
      queue.addLast(exchange);
    }
  }

  @Nullable Exchange head() {
    return queue.peekFirst();
  }

  /** Takes the head off the queue. */
  void dequeue() {
    queue.pollFirst();
  }

  /** Whether the host waits for a timer or a remote limiter's answer. */
  boolean isWaiting() {
    return waiting;
  }

  /** A timer or a remote answer will hand the host back: it is not ready until {@link #woken}. */
  void waitForWake() {
    waiting = true;
  }

  /** The timer fired, or the answer came. */
  void woken() {
    waiting = false;
  }

  /**
   * Whether the host should join the ready queue: it has an input and nothing holds it back. If so,
   * it is counted in, ordered by its head's sequence.
   */
  boolean becomeReady() {
    Exchange head = queue.peekFirst();
    if (inReady || waiting || head == null) {
      return false;
    }
    readyKey = head.sequence;
    inReady = true;
    return true;
  }

  /** Whether the host is in the loop's ready queue. */
  boolean isReady() {
    return inReady;
  }

  /** The loop took the host off the ready queue. */
  void leftReady() {
    inReady = false;
  }

  long readyKey() {
    return readyKey;
  }

  /** Marks the host stalled; false if it already was. */
  boolean stall() {
    if (stalled) {
      return false;
    }
    stalled = true;
    return true;
  }

  void unstall() {
    stalled = false;
  }

  /**
   * Whether forgetting this host loses nothing: no input waits, no call is in flight, no timer is
   * armed, no pause or block is running and its limiter has refilled, so a new {@code Host} would
   * behave exactly as this one.
   */
  boolean isIdle(long now) {
    return queue.isEmpty()
        && !waiting
        && !inReady
        && !stalled
        && calls == 0
        && Bulkheads.isIdle(bulkhead)
        && pausedUntilNanos - now <= 0
        && blockedUntilNanos - now <= 0
        && limiter.isIdle();
  }

  @Override
  public String toString() {
    return key;
  }
}
