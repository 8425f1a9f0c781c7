package dev.batchfetch.internal.discovery;

import dev.batchfetch.QuotaStore;
import dev.batchfetch.RateLimit;
import dev.batchfetch.internal.limit.GcraLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Quota discovery for one host: a {@link RateController} for the host, and one for each quota
 * partition its responses name (the IETF draft's {@code pk}, {@link
 * dev.batchfetch.internal.quota.QuotaSignal#partition()}), which set the pace of the host's own
 * limiter, and the slow start of its calls in flight.
 *
 * <ul>
 *   <li>The host is paced at the slowest rate among its controllers that have seen a sign of a
 *       quota. A client cannot tell in general which partition a request falls in before it is
 *       answered, so a host whose responses name several partitions keeps to the slowest: safe, and
 *       exact when, as usual, one client's calls fall in one partition.
 *   <li>Until the first sign, calls in flight start at {@link RateController#INITIAL_WINDOW} and
 *       grow by one with each accepted answer.
 *   <li>The pace is pushed to the host's {@link GcraLimiter} (with no burst) as it changes, and
 *       written to the {@link QuotaStore}, from which a host met again starts.
 *   <li>Before each call the store is {@linkplain #heed heeded}: a fresh entry another fetcher
 *       wrote (another process, through a shared store) lowers the pace when its rate is lower, as
 *       if this host had learned it, and hands on its pause when that is longer.
 * </ul>
 *
 * <p>Thread-safe: attempts end on many threads, and the admission loop reads the window; every
 * method holds this object's lock, briefly.
 */
public final class HostQuota {
  /** Partitions beyond this many share the host's own controller: a bound on memory. */
  static final int MAX_PARTITIONS = 16;

  /** An entry learned longer ago than this no longer lowers the pace of a running host. */
  static final Duration FRESH = Duration.ofMinutes(5);

  private final String host;
  private final double ceiling;
  private final Duration maxPause;
  private final GcraLimiter pace;
  private final QuotaStore store;
  private final RateController whole;
  private final Map<String, RateController> partitions = new HashMap<>();
  private final @Nullable Instant storedPause;
  private @Nullable Instant heard; // the newest entry heeded or written, by its time
  private @Nullable Instant heardPause; // the latest pause heeded or written
  private long window = RateController.INITIAL_WINDOW;
  private double applied = Double.POSITIVE_INFINITY;
  private volatile double published = Double.POSITIVE_INFINITY;

  /**
   * Discovery for {@code host}, started from what {@code store} holds of it.
   *
   * @param ceiling the configured rate, calls per second, never exceeded; infinite for none
   * @param maxPause the longest pause a server may impose
   * @param pace the host's limiter that follows the learned rate; unlimited until a sign
   * @param nowNanos the time now on the fetcher's ticker, and {@code now} on its wall clock
   */
  public HostQuota(
      String host,
      double ceiling,
      Duration maxPause,
      GcraLimiter pace,
      QuotaStore store,
      long nowNanos,
      Instant now) {
    this.host = host;
    this.ceiling = ceiling;
    this.maxPause = maxPause;
    this.pace = pace;
    this.store = store;
    this.whole = new RateController(ceiling, maxPause);
    QuotaStore.Learned learned = read(store, host);
    Instant pause = learned == null ? null : learned.pausedUntil();
    this.storedPause = pause != null && pause.isAfter(now) ? capped(pause, now) : null;
    if (learned != null) {
      heard = learned.at();
      heardPause = pause;
      whole.resume(Math.min(ceiling, learned.rate()), nowNanos);
      apply();
    }
  }

  /**
   * What heeding the store did: the change of the paced rate it made, and a pause to keep, by the
   * wall clock; each null for none.
   */
  public record Heard(@Nullable Change change, @Nullable Instant pause) {
    static final Heard NOTHING = new Heard(null, null);
  }

  /**
   * Heeds what the store holds of the host now, before a call starts: an entry newer than what this
   * host heard or wrote, learned within {@link #FRESH}, lowers the pace to its rate when that is
   * lower (the host's controller goes on from it as from a rate it learned); a pause later than any
   * heard is returned, at most the maximum pause from {@code now}, for the host to keep.
   */
  public synchronized Heard heed(long nowNanos, Instant now) {
    QuotaStore.Learned learned = read(store, host);
    if (learned == null) {
      return Heard.NOTHING;
    }
    double before = published;
    if (heard == null || learned.at().isAfter(heard)) {
      heard = learned.at();
      double rate = Math.min(ceiling, learned.rate());
      if (rate < applied && !learned.at().isBefore(now.minus(FRESH))) {
        whole.resume(rate, nowNanos);
        apply();
      }
    }
    Change change = published == before ? null : new Change(before, published);
    Instant pause = learned.pausedUntil();
    if (pause == null
        || !pause.isAfter(now)
        || (heardPause != null && !pause.isAfter(heardPause))) {
      return change == null ? Heard.NOTHING : new Heard(change, null);
    }
    heardPause = pause;
    return new Heard(change, capped(pause, now));
  }

  private Instant capped(Instant pause, Instant now) {
    Instant latest = now.plus(maxPause);
    return pause.isAfter(latest) ? latest : pause;
  }

  /** What {@code store} holds of {@code host}; null, as for nothing, if it throws. */
  private static QuotaStore.@Nullable Learned read(QuotaStore store, String host) {
    try {
      return store.read(host);
    } catch (RuntimeException e) { // a store of the user's broke its promise: heed nothing
      return null;
    }
  }

  /** A pause the store held for the host that is still running, or null. */
  public @Nullable Instant storedPause() {
    return storedPause;
  }

  /** Hears how one attempt to the host ended; returns the change of its paced rate, or null. */
  public synchronized @Nullable Change onOutcome(Outcome outcome) {
    double publishedBefore = published;
    if (outcome.kind() == Outcome.Kind.ACCEPTED) {
      window = Math.min(Integer.MAX_VALUE, window + 1);
    }
    RateController controller = controllerOf(outcome.signal().partition());
    double before = controller.rate();
    long pausedBefore = controller.pausedUntil();
    controller.onOutcome(outcome);
    if (apply()
        || (controller.isPaced() && controller.rate() != before)
        || controller.pausedUntil() != pausedBefore) {
      remember(controller, outcome);
    }
    return published == publishedBefore ? null : new Change(publishedBefore, published);
  }

  /**
   * A change of the rate the host is paced at, calls per second, each infinite for none: told by
   * the one answer that made it, so that listeners hear each change once.
   */
  public record Change(double from, double to) {}

  private RateController controllerOf(@Nullable String partition) {
    if (partition == null) {
      return whole;
    }
    RateController controller = partitions.get(partition);
    if (controller == null && partitions.size() < MAX_PARTITIONS) {
      controller = new RateController(ceiling, maxPause);
      partitions.put(partition, controller);
    }
    return controller == null ? whole : controller;
  }

  /** Pushes the pace to the limiter if it changed; whether it did. */
  private boolean apply() {
    double rate = pacedRate();
    if (rate == applied) {
      return false;
    }
    applied = rate;
    published = rate;
    pace.follow(limitOf(rate));
    return true;
  }

  private void remember(RateController controller, Outcome outcome) {
    if (applied == Double.POSITIVE_INFINITY) {
      return;
    }
    Instant pausedUntil =
        controller.hasPause() && controller.pausedUntil() - outcome.answeredNanos() > 0
            ? outcome.answeredAt().plusNanos(controller.pausedUntil() - outcome.answeredNanos())
            : null;
    Instant at = outcome.answeredAt();
    if (heard == null || at.isAfter(heard)) {
      heard = at; // this host's own entry: not news when it is read back
    }
    if (pausedUntil != null && (heardPause == null || pausedUntil.isAfter(heardPause))) {
      heardPause = pausedUntil;
    }
    try {
      store.write(host, new QuotaStore.Learned(applied, pausedUntil, at));
    } catch (RuntimeException e) {
      // A store of the user's broke its promise: what was learned stays with this host.
    }
  }

  /** The slowest rate among the controllers that saw a sign of a quota; infinite if none did. */
  private double pacedRate() {
    double rate = whole.isPaced() ? whole.rate() : Double.POSITIVE_INFINITY;
    for (RateController controller : partitions.values()) {
      if (controller.isPaced()) {
        rate = Math.min(rate, controller.rate());
      }
    }
    return rate;
  }

  /** The learned rate the host is paced at, calls per second; infinite while it is not paced. */
  public double rate() {
    return published;
  }

  /** Whether a sign of a quota was seen: the host is paced at a learned rate. */
  public boolean isPaced() {
    return published < Double.POSITIVE_INFINITY;
  }

  /**
   * How many calls may be in flight to the host, of the {@code width} the policy and the bulkheads
   * allow: the slow start's window until the host is paced, then {@code width}.
   */
  public synchronized int window(int width) {
    return isPaced() || window >= width ? width : (int) window;
  }

  /**
   * Whether the host's rate can still come down: while it can, a throttled answer is a signal to
   * slow down, not a failure of its input.
   */
  public synchronized boolean canSlowDown() {
    if (!whole.canSlowDown()) {
      return false;
    }
    for (RateController controller : partitions.values()) {
      if (!controller.canSlowDown()) {
        return false;
      }
    }
    return true;
  }

  /** A rate in calls per second as a limit with no burst; unlimited for an infinite one. */
  public static RateLimit limitOf(double perSecond) {
    if (perSecond == Double.POSITIVE_INFINITY) {
      return RateLimit.unlimited();
    }
    long interval = (long) Math.ceil(1e9 / perSecond);
    return RateLimit.of(1, Duration.ofNanos(Math.max(1, interval)));
  }

  @Override
  public synchronized String toString() {
    return "HostQuota{" + host + ", rate=" + applied + ", " + whole + "}";
  }
}
