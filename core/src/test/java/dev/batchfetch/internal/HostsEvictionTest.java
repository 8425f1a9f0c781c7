package dev.batchfetch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.HostLimits;
import dev.batchfetch.RateLimit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Per-host state stays bounded however many hosts a batch touches: idle hosts are forgotten. */
@Timeout(30)
class HostsEvictionTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private final AtomicLong clock = new AtomicLong(1_000_000 * MS);
  private final Hosts hosts =
      new Hosts(HostLimits.of(RateLimit.perSecond(1)), Map.of(), clock::get);

  @Test
  void forgetsHostsWhoseQuotaHasRecovered() {
    int peak = 0;
    for (int i = 0; i < 100_000; i++) {
      Host host = hosts.of(url("host-" + i + ".test"));
      host.limiter.reservePermission(); // one call: its quota recovers a second later
      clock.addAndGet(MS);
      peak = Math.max(peak, hosts.size());
    }
    // A thousand hosts a second, each holding state for its one-second interval: a few thousand
    // hosts at most are remembered, never 100,000.
    assertThat(peak).isLessThan(5_000);
  }

  @Test
  void keepsHostsWithWorkOrAQuotaStillRecovering() {
    Host busy = hosts.of(url("busy.test"));
    busy.bulkhead.tryAcquirePermission(); // a call in flight
    Host limited = hosts.of(url("limited.test"));
    limited.limiter.reservePermission();
    limited.limiter.reservePermission(); // the schedule runs a second ahead
    Host paused = hosts.of(url("paused.test"));
    paused.pausedUntilNanos = clock.get() + 60_000 * MS;

    clock.addAndGet(1_500 * MS);
    for (int i = 0; i < 1_000; i++) {
      hosts.of(url("other-" + i + ".test")); // enough new hosts to force sweeps
    }

    assertThat(hosts.of(url("busy.test"))).isSameAs(busy);
    assertThat(hosts.of(url("limited.test"))).isSameAs(limited);
    assertThat(hosts.of(url("paused.test"))).isSameAs(paused);
  }

  @Test
  void tellsPortsApartAndAppliesOverridesByNameOrByPort() {
    Hosts withOverrides =
        new Hosts(
            HostLimits.unlimited(),
            Map.of(
                "api.test", HostLimits.of(RateLimit.perSecond(5)),
                "api.test:8443", HostLimits.of(RateLimit.perSecond(7))),
            clock::get);

    Host plain = withOverrides.of(HttpUrl.get("http://api.test/"));
    Host tls = withOverrides.of(HttpUrl.get("https://api.test:8443/"));
    Host other = withOverrides.of(HttpUrl.get("http://other.test/"));

    assertThat(plain).isNotSameAs(tls);
    assertThat(plain.key).isEqualTo("api.test:80");
    assertThat(own(plain).getRateLimiterConfig().getLimitRefreshPeriod().toMillis()).isEqualTo(200);
    assertThat(own(tls).getRateLimiterConfig().getLimitRefreshPeriod().toMillis()).isEqualTo(142);
    assertThat(own(other).getMetrics().getAvailablePermissions()).isEqualTo(Integer.MAX_VALUE);
  }

  private static SmoothRateLimiter own(Host host) {
    return (SmoothRateLimiter) host.limiter;
  }

  private static HttpUrl url(String host) {
    return HttpUrl.get("http://" + host + "/");
  }
}
