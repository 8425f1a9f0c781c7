package dev.batchfetch.internal;

import dev.batchfetch.ErrorKind;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when each call may start: it takes a bulkhead slot, then reserves a rate-limit permit,
 * and starts the call at once or schedules its start for when the permit is due. Nothing blocks: a
 * call waiting for a permit is a timer task, and a call waiting for a slot is an input not yet
 * taken from its batch, so memory is O(in flight), not O(batch size).
 *
 * <p>Batches are served first come, first served. The loop in {@link #drain()} runs on one thread
 * at a time (whichever called it last: a submitter, the timer, or a call that just ended) and is
 * re-run when anything changes while it runs, the usual work-in-progress counter of reactive
 * libraries. At most one start waits on the timer at a time, so a cancelled batch wastes at most
 * one permit, and the limiter is asked for the next permit only when the previous one is due.
 */
final class Admission {
  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  /** When the limiter cannot reserve a permit within its timeout, ask again after this long. */
  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final RateLimiter rateLimiter;
  private final Bulkhead bulkhead;
  private final ScheduledExecutorService scheduler;
  private final Consumer<Exchange> starter;
  private final Queue<Batch> batches = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean waiting;
  private volatile boolean closed;

  Admission(
      RateLimiter rateLimiter,
      Bulkhead bulkhead,
      ScheduledExecutorService scheduler,
      Consumer<Exchange> starter) {
    this.rateLimiter = rateLimiter;
    this.bulkhead = bulkhead;
    this.scheduler = scheduler;
    this.starter = starter;
  }

  /** Queues {@code batch} behind the batches already queued. */
  void submit(Batch batch) {
    batches.add(batch);
    try {
      scheduler.execute(this::drain);
    } catch (RejectedExecutionException e) {
      drain(); // closing: the loop rejects what is left
    }
  }

  /** Stops admitting; what is queued is left to {@link Batch#stop}. */
  void close() {
    closed = true;
  }

  /** Starts every call that may start now. Safe from any thread; never blocks. */
  void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      try {
        admit();
      } catch (RuntimeException e) {
        log.error("batchfetch: admission loop failed; it will run again on the next event", e);
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void admit() {
    while (!closed && !waiting) {
      Batch batch = batches.peek();
      if (batch == null) {
        return;
      }
      int index = batch.next();
      if (index < 0) {
        batches.poll();
        continue;
      }
      Prepared prepared = batch.prepare(index);
      if (prepared instanceof Prepared.Invalid invalid) {
        if (batch.claim(index)) {
          batch.fail(index, invalid.url(), invalid.kind(), invalid.exception());
        }
        continue;
      }
      if (!bulkhead.tryAcquirePermission()) {
        return; // a call ending releases a slot and drains again
      }
      long waitNanos = rateLimiter.reservePermission();
      if (waitNanos < 0) {
        bulkhead.onComplete();
        startLater(null, RETRY_NANOS);
        return;
      }
      if (!batch.claim(index)) {
        bulkhead.onComplete(); // the batch stopped meanwhile
        continue;
      }
      Exchange exchange = new Exchange(batch, index, (Prepared.Ready) prepared, this::release);
      batch.track(exchange);
      if (closed || batch.isDone()) { // stopped while we claimed: its stop() may have missed this
        exchange.cancel(new CancellationException(closed ? "fetcher closed" : "batch cancelled"));
      }
      if (waitNanos == 0) {
        starter.accept(exchange);
      } else {
        startLater(exchange, waitNanos);
      }
    }
  }

  /** Starts {@code exchange} (or only drains again, if null) after {@code nanos}. */
  private void startLater(@Nullable Exchange exchange, long nanos) {
    waiting = true;
    try {
      var unused =
          scheduler.schedule(
              () -> {
                waiting = false;
                if (exchange != null) {
                  starter.accept(exchange);
                }
                drain();
              },
              nanos,
              TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      waiting = false;
      if (exchange != null) {
        exchange.abandon(ErrorKind.REJECTED, e);
      }
    }
  }

  private void release() {
    bulkhead.onComplete();
    drain();
  }
}
