package dev.batchfetch.internal.admission;

import dev.batchfetch.HostLimits;
import dev.batchfetch.internal.discovery.Discovery;
import dev.batchfetch.internal.limit.Limiter;
import dev.batchfetch.internal.time.Ticker;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * The hosts a fetcher has seen, each with its own limits: the default for every host, or an
 * override for a named one ({@code example.com} for any port, {@code example.com:8443} for one).
 *
 * <p>Bounded: a host that is {@linkplain Host#isIdle idle} is forgotten at the next sweep, which
 * runs when the map has doubled since the last one or every few seconds, so a batch over 100,000
 * distinct hosts holds only the hosts with work in progress or a quota still recovering; what
 * discovery learned of a forgotten host stays in its store, and a host met again starts from it.
 * Used by the admission loop only, one thread at a time.
 */
public final class Hosts {
  private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final int MIN_SWEEP_SIZE = 256;

  private final HostLimits defaults;
  private final Map<String, HostLimits> overrides;
  private final Ticker ticker;
  private final Function<String, @Nullable Limiter> shared;
  private final Discovery discovery;
  private final Map<String, Host> hosts = new HashMap<>();
  private Consumer<String> evicted = key -> {};
  private int sweepAtSize = MIN_SWEEP_SIZE;
  private long lastSweepNanos;

  /**
   * @param shared the user's limiter for a host key, or null to give the host its own
   */
  public Hosts(
      HostLimits defaults,
      Map<String, HostLimits> overrides,
      Function<String, @Nullable Limiter> shared,
      Discovery discovery,
      Ticker ticker) {
    this.defaults = defaults;
    this.discovery = discovery;
    this.overrides = Map.copyOf(overrides);
    this.shared = shared;
    this.ticker = ticker;
    this.lastSweepNanos = ticker.nanoTime();
  }

  /** The host of {@code url}, created with its limits on first use. */
  Host of(HttpUrl url) {
    String key = url.host() + ":" + url.port();
    Host host = hosts.get(key);
    if (host == null) {
      sweepIfDue();
      host = new Host(key, limitsFor(url.host(), key), shared.apply(key), ticker, discovery);
      hosts.put(key, host);
    }
    return host;
  }

  /** Tells {@code listener} the key of each host forgotten. Before the first use. */
  void onEvicted(Consumer<String> listener) {
    this.evicted = listener;
  }

  int size() {
    return hosts.size();
  }

  private HostLimits limitsFor(String name, String key) {
    HostLimits limits = overrides.get(key);
    if (limits == null) {
      limits = overrides.get(name.toLowerCase(Locale.ROOT));
    }
    return limits == null ? defaults : limits;
  }

  private void sweepIfDue() {
    long now = ticker.nanoTime();
    if (hosts.size() < sweepAtSize && now - lastSweepNanos < SWEEP_INTERVAL_NANOS) {
      return;
    }
    for (Iterator<Host> it = hosts.values().iterator(); it.hasNext(); ) {
      Host host = it.next();
      if (host.isIdle(now)) {
        it.remove();
        host.forget(discovery);
        evicted.accept(host.key);
      }
    }
    lastSweepNanos = now;
    sweepAtSize = Math.max(MIN_SWEEP_SIZE, 2 * hosts.size());
  }
}
