package dev.batchfetch.internal.discovery;

import dev.batchfetch.QuotaStore;
import dev.batchfetch.internal.limit.GcraLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A fetcher's quota discovery: the {@link HostQuota} of every host it holds state for, the {@link
 * QuotaStore} they start from and write to, and the learned rates a progress report shows.
 * Thread-safe.
 */
public final class Discovery {
  /** How many hosts' learned rates the fetcher's own store keeps once the hosts are forgotten. */
  static final int REMEMBERED = 10_000;

  /** The most hosts a report lists, slowest first. */
  public static final int REPORTED = 100;

  private final boolean enabled;
  private final Duration maxPause;
  private final QuotaStore store;
  private final Map<String, HostQuota> live = new ConcurrentHashMap<>();

  private Discovery(boolean enabled, Duration maxPause, QuotaStore store) {
    this.enabled = enabled;
    this.maxPause = maxPause;
    this.store = store;
  }

  /** Discovery on, with the longest pause a server may impose, and a store in memory. */
  public static Discovery on(Duration maxPause) {
    return on(maxPause, null);
  }

  /**
   * Discovery on, with the longest pause a server may impose, and {@code store}: the user's, or
   * null for one in memory.
   */
  public static Discovery on(Duration maxPause, @Nullable QuotaStore store) {
    return new Discovery(true, maxPause, store == null ? QuotaStore.inMemory(REMEMBERED) : store);
  }

  /** Discovery off: every host keeps its configured rate. */
  public static Discovery off() {
    return new Discovery(false, Duration.ZERO, QuotaStore.inMemory(1));
  }

  public boolean enabled() {
    return enabled;
  }

  /**
   * The discovery of {@code host}, met now, paced through {@code pace}; null when discovery is off.
   *
   * @param ceiling the host's configured rate, calls per second; infinite for none
   */
  public @Nullable HostQuota join(
      String host, double ceiling, GcraLimiter pace, long nowNanos, Instant now) {
    if (!enabled) {
      return null;
    }
    HostQuota quota = new HostQuota(host, ceiling, maxPause, pace, store, nowNanos, now);
    live.put(host, quota);
    return quota;
  }

  /** The fetcher forgot {@code host}: what it learned stays in the store. */
  public void leave(String host, HostQuota quota) {
    live.remove(host, quota);
  }

  /**
   * The learned rate of every host paced now, calls per second by {@code name:port}, slowest first,
   * at most {@link #REPORTED}; empty when none is paced.
   */
  public Map<String, Double> learnedRates() {
    if (live.isEmpty()) {
      return Map.of();
    }
    List<Map.Entry<String, Double>> paced = new ArrayList<>();
    live.forEach(
        (host, quota) -> {
          double rate = quota.rate();
          if (rate < Double.POSITIVE_INFINITY) {
            paced.add(Map.entry(host, rate));
          }
        });
    if (paced.isEmpty()) {
      return Map.of();
    }
    paced.sort(
        Map.Entry.<String, Double>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
    Map<String, Double> rates = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : paced.subList(0, Math.min(REPORTED, paced.size()))) {
      rates.put(e.getKey(), e.getValue());
    }
    return Collections.unmodifiableMap(rates);
  }

  @Override
  public String toString() {
    return enabled ? "Discovery{" + live.size() + " hosts}" : "Discovery{off}";
  }
}
