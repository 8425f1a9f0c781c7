package dev.batchfetch.internal.limit;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Duration;

/** The one way the fetcher configures a Resilience4j {@link Bulkhead}: never waits, no stacks. */
public final class Bulkheads {
  private Bulkheads() {}

  /** A bulkhead of {@code maxConcurrent} slots that answers at once: a slot, or none. */
  public static Bulkhead of(String name, int maxConcurrent) {
    return Bulkhead.of(
        name,
        BulkheadConfig.custom()
            .maxConcurrentCalls(maxConcurrent)
            .maxWaitDuration(Duration.ZERO)
            .fairCallHandlingStrategyEnabled(false)
            .writableStackTraceEnabled(false)
            .build());
  }

  /** Whether every slot of {@code bulkhead} is free. */
  public static boolean isIdle(Bulkhead bulkhead) {
    Bulkhead.Metrics metrics = bulkhead.getMetrics();
    return metrics.getAvailableConcurrentCalls() == metrics.getMaxAllowedConcurrentCalls();
  }
}
