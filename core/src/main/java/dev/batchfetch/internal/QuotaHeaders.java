package dev.batchfetch.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Reads the quota headers of a response. (Stub: Retry-After in seconds only; to be replaced.) */
final class QuotaHeaders {
  private QuotaHeaders() {}

  static QuotaSignal parse(Map<String, List<String>> headers, Instant now) {
    List<String> values = headers.get("retry-after");
    if (values == null || values.isEmpty()) {
      return QuotaSignal.NONE;
    }
    try {
      long seconds = Long.parseLong(values.get(0).trim());
      return seconds < 0
          ? QuotaSignal.NONE
          : new QuotaSignal(now.plusSeconds(Math.min(seconds, 31_622_400)), -1, -1, null, null);
    } catch (NumberFormatException e) {
      return QuotaSignal.NONE;
    }
  }
}
