package dev.batchfetch.redis.internal;

import io.github.resilience4j.core.EventConsumer;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.event.RateLimiterEvent;
import io.github.resilience4j.ratelimiter.event.RateLimiterOnDrainedEvent;
import io.github.resilience4j.ratelimiter.event.RateLimiterOnFailureEvent;
import io.github.resilience4j.ratelimiter.event.RateLimiterOnSuccessEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event publisher of a shared limiter, with Resilience4j's public types only (its own {@code
 * RateLimiterEventProcessor} is internal to it): consumers of every event, of successes and of
 * failures. A consumer that throws is logged and skipped.
 *
 * <p>Thread-safe.
 */
public final class LimiterEvents implements RateLimiter.EventPublisher {
  private static final Logger log = LoggerFactory.getLogger(LimiterEvents.class);

  private final List<EventConsumer<RateLimiterEvent>> all = new CopyOnWriteArrayList<>();
  private final List<EventConsumer<RateLimiterOnSuccessEvent>> successes =
      new CopyOnWriteArrayList<>();
  private final List<EventConsumer<RateLimiterOnFailureEvent>> failures =
      new CopyOnWriteArrayList<>();

  @Override
  public void onEvent(EventConsumer<RateLimiterEvent> consumer) {
    all.add(consumer);
  }

  @Override
  public RateLimiter.EventPublisher onSuccess(EventConsumer<RateLimiterOnSuccessEvent> consumer) {
    successes.add(consumer);
    return this;
  }

  @Override
  public RateLimiter.EventPublisher onFailure(EventConsumer<RateLimiterOnFailureEvent> consumer) {
    failures.add(consumer);
    return this;
  }

  /** Whether anyone listens: events are made only then. */
  public boolean hasConsumers() {
    return !all.isEmpty() || !successes.isEmpty() || !failures.isEmpty();
  }

  /** {@code permits} were reserved. */
  public void success(String limiter, int permits) {
    RateLimiterOnSuccessEvent event = new RateLimiterOnSuccessEvent(limiter, permits);
    deliver(successes, event);
    deliver(all, event);
  }

  /** {@code permits} could not be reserved within the timeout. */
  public void failure(String limiter, int permits) {
    RateLimiterOnFailureEvent event = new RateLimiterOnFailureEvent(limiter, permits);
    deliver(failures, event);
    deliver(all, event);
  }

  /** {@code permits} were drained. */
  public void drained(String limiter, int permits) {
    deliver(all, new RateLimiterOnDrainedEvent(limiter, permits));
  }

  private static <E extends RateLimiterEvent> void deliver(
      List<? extends EventConsumer<? super E>> consumers, E event) {
    for (EventConsumer<? super E> consumer : consumers) {
      try {
        consumer.consumeEvent(event);
      } catch (RuntimeException e) {
        log.warn("batchfetch: a rate limiter event consumer threw", e);
      }
    }
  }
}
