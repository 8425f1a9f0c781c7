package dev.batchfetch.internal.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.HostLimits;
import dev.batchfetch.RateLimit;
import dev.batchfetch.internal.discovery.Discovery;
import dev.batchfetch.internal.limit.GcraLimiter;
import dev.batchfetch.internal.time.FakeClock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Per-host state stays bounded however many hosts a batch touches: idle hosts are forgotten. */
@Timeout(30)
class HostsEvictionTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private final FakeClock clock = new FakeClock();
  private final Hosts hosts =
      new Hosts(
          HostLimits.of(RateLimit.perSecond(1)), Map.of(), key -> null, Discovery.off(), clock);

  @Test
  void forgetsHostsWhoseQuotaHasRecovered() {
    int peak = 0;
    for (int i = 0; i < 100_000; i++) {
      Host host = hosts.of(url("host-" + i + ".test"));
      var unused = host.limiter().reserve(); // one call: its quota recovers a second later
      clock.advance(Duration.ofMillis(1));
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
    var unused = limited.limiter().reserve();
    unused = limited.limiter().reserve(); // the schedule runs a second ahead
    Host paused = hosts.of(url("paused.test"));
    paused.pauseUntil(clock.nanoTime() + 60_000 * MS);

    clock.advance(Duration.ofMillis(1_500));
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
            key -> null,
            Discovery.off(),
            clock);

    Host plain = withOverrides.of(HttpUrl.get("http://api.test/"));
    Host tls = withOverrides.of(HttpUrl.get("https://api.test:8443/"));
    Host other = withOverrides.of(HttpUrl.get("http://other.test/"));

    assertThat(plain).isNotSameAs(tls);
    assertThat(plain.key).isEqualTo("api.test:80");
    assertThat(own(plain).rateLimit()).isEqualTo(RateLimit.perSecond(5));
    assertThat(own(tls).rateLimit()).isEqualTo(RateLimit.perSecond(7));
    assertThat(own(other).rateLimit()).isEqualTo(RateLimit.unlimited());
  }

  private static GcraLimiter own(Host host) {
    return (GcraLimiter) host.limiter();
  }

  private static HttpUrl url(String host) {
    return HttpUrl.get("http://" + host + "/");
  }
}
