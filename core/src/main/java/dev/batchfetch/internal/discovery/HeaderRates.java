package dev.batchfetch.internal.discovery;

import dev.batchfetch.internal.quota.QuotaSignal;
import dev.batchfetch.internal.quota.QuotaSignal.Quota;
import java.time.Duration;
import java.time.Instant;

/**
 * The rate a response's quota headers allow, in calls per second: for each quota announced, its
 * policy ({@code limit / window}) and, while some remain, what is left spread over the time to its
 * reset ({@code remaining / (reset - now)}); the lowest of them all. Stateless.
 */
final class HeaderRates {
  private HeaderRates() {}

  /** The rate, or positive infinity if the signal gives none. */
  static double of(QuotaSignal signal, Instant now) {
    double rate = Double.POSITIVE_INFINITY;
    for (Quota quota : signal.quotas()) {
      Duration window = quota.window();
      if (quota.limit() >= 0 && window != null) {
        rate = Math.min(rate, quota.limit() / seconds(window));
      }
      Instant reset = quota.reset();
      if (quota.remaining() > 0 && reset != null && reset.isAfter(now)) {
        rate = Math.min(rate, quota.remaining() / seconds(Duration.between(now, reset)));
      }
    }
    return rate;
  }

  private static double seconds(Duration d) {
    return d.getSeconds() + d.getNano() / 1e9;
  }
}
