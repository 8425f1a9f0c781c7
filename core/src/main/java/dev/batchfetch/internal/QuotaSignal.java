package dev.batchfetch.internal;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** What one response says about the server's quota; every part optional. (Stub, to be replaced.) */
record QuotaSignal(
    @Nullable Instant retryAfter,
    long limit,
    long remaining,
    @Nullable Instant reset,
    @Nullable Duration window) {

  static final QuotaSignal NONE = new QuotaSignal(null, -1, -1, null, null);

  boolean isEmpty() {
    return retryAfter == null && limit < 0 && remaining < 0 && reset == null && window == null;
  }

  @Nullable Instant holdUntil() {
    if (retryAfter != null) {
      return retryAfter;
    }
    return remaining == 0 ? reset : null;
  }
}
