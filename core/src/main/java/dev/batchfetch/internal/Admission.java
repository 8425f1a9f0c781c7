package dev.batchfetch.internal;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.internal.quota.QuotaHeaders;
import dev.batchfetch.internal.quota.QuotaSignal;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when each call may start, and what happens after each attempt.
 *
 * <p>Inputs are taken from the batches in order (at most {@code maxPending} ahead of what has
 * started) into a queue per host. A host is <em>ready</em> when it has inputs and nothing holds it
 * back; the ready hosts are served in input order, so one host waiting for its quota or a pause
 * never holds up the others. Serving a host takes a slot of the global bulkhead and one of the
 * host's, then a permit of the host's rate limiter and one of the global limiter, in that order:
 * the global permit is reserved for the very moment the call starts. A permit not yet due is a
 * timer task; nothing blocks.
 *
 * <p>After an attempt the server's quota signals (a {@code Retry-After} on a 429, 502, 503 or 504,
 * a quota with nothing remaining) pause the host, then the slots go back, and a retryable failure
 * is scheduled again, as a new admission, after the server's wait or the backoff. A 429 or 503
 * without {@code Retry-After} holds the host for the backoff.
 *
 * <p>All state but the thread-safe limiters and bulkheads is owned by the loop in {@link #drain()},
 * which runs on one thread at a time and is re-run when anything happens meanwhile, the usual
 * work-in-progress counter of reactive libraries. Other threads talk to it through {@link #post}.
 */
final class Admission implements Exchange.Listener {
  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  /** When a limiter cannot reserve a permit within its timeout, ask again after this long. */
  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final Limiter globalLimiter;
  private final Bulkhead globalBulkhead;
  private final Hosts hosts;
  private final Retries retries;
  private final Duration maxRetryAfter;
  private final boolean adaptToServerQuota;
  private final int maxPending;
  private final ScheduledExecutorService scheduler;
  private final Consumer<Exchange> starter;
  private final Executor quotaThreads;
  private final BodyReader bodies;
  private final LongSupplier nanoTime;
  private final Clock clock;

  private final Queue<Batch> batches = new ConcurrentLinkedQueue<>();
  private final Queue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean closed;

  // Owned by the loop.
  private final PriorityQueue<Host> ready =
      new PriorityQueue<>(Comparator.comparingLong(host -> host.readyKey));
  private final List<Host> stalled = new ArrayList<>();
  private int pending;
  private long nextSequence;

  Admission(
      Limiter globalLimiter,
      Bulkhead globalBulkhead,
      Hosts hosts,
      Retries retries,
      Duration maxRetryAfter,
      boolean adaptToServerQuota,
      int maxPending,
      ScheduledExecutorService scheduler,
      Consumer<Exchange> starter,
      Executor quotaThreads,
      BodyReader bodies,
      LongSupplier nanoTime,
      Clock clock) {
    this.globalLimiter = globalLimiter;
    this.globalBulkhead = globalBulkhead;
    this.hosts = hosts;
    this.retries = retries;
    this.maxRetryAfter = maxRetryAfter;
    this.adaptToServerQuota = adaptToServerQuota;
    this.maxPending = maxPending;
    this.scheduler = scheduler;
    this.starter = starter;
    this.quotaThreads = quotaThreads;
    this.bodies = bodies;
    this.nanoTime = nanoTime;
    this.clock = clock;
  }

  /** Queues {@code batch} behind the batches already queued; its work starts on the loop. */
  void submit(Batch batch) {
    batches.add(batch);
    try {
      scheduler.execute(this::drain);
    } catch (RejectedExecutionException e) {
      drain(); // closing: the loop admits nothing more
    }
  }

  /** Stops admitting; what is queued is ended by {@link Batch#stop}. */
  void close() {
    closed = true;
  }

  /** Runs {@code task} on the loop. Safe from any thread; never blocks. */
  void post(Runnable task) {
    mailbox.add(task);
    drain();
  }

  void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      try {
        for (Runnable task = mailbox.poll(); task != null; task = mailbox.poll()) {
          task.run();
        }
        fill();
        dispatch();
      } catch (RuntimeException e) {
        log.error("batchfetch: admission loop failed; it runs again on the next event", e);
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  @Override
  public void attemptEnded(Exchange exchange, Result attempt) {
    Host host = exchange.host;
    try {
      if (!exchange.isDone()) {
        decide(exchange, attempt);
      }
    } finally {
      // The slots go back on the loop, after the pause decide() posted: released here, they could
      // let the loop start the host's next call before it heard of the pause.
      post(
          () -> {
            release(host);
            markReady(host);
          });
    }
  }

  /**
   * Takes inputs from the batches into their hosts' queues, up to {@code maxPending}: from the
   * oldest batch first, and from a younger one while an older one has nothing to give now.
   */
  private void fill() {
    Iterator<Batch> it = batches.iterator();
    Batch batch = null;
    while (!closed && pending < maxPending) {
      if (batch == null) {
        if (!it.hasNext()) {
          return;
        }
        batch = it.next();
      }
      int index = batch.next();
      if (index == Batch.EXHAUSTED) {
        it.remove();
        batch = null;
        continue;
      }
      if (index == Batch.LATER) {
        batch = null; // it wakes the loop when it can take more
        continue;
      }
      take(batch, index);
    }
  }

  /** Claims input {@code index} of {@code batch} and queues it for its host. */
  private void take(Batch batch, int index) {
    Prepared prepared = batch.prepare(index);
    if (!batch.claim(index)) {
      return; // the batch stopped meanwhile
    }
    if (prepared instanceof Prepared.Invalid invalid) {
      batch.fail(index, invalid.url(), invalid.kind(), invalid.exception());
      return;
    }
    Prepared.Ready request = (Prepared.Ready) prepared;
    Exchange exchange =
        new Exchange(
            batch,
            index,
            request,
            hosts.of(request.request().url()),
            nextSequence++,
            retries.contextFor(request.request()),
            this,
            bodies);
    batch.track(exchange);
    if (closed || batch.isStopped()) { // stopped while we claimed: its stop() may have missed this
      batch.endLate(exchange);
      return;
    }
    enqueue(exchange, false);
  }

  /** A batch whose results waited for delivery has delivered some: its hosts may go on. */
  void unstall() {
    for (Host host : stalled) {
      host.stalled = false;
      markReady(host);
    }
    stalled.clear();
  }

  /** Starts what may start now, host by host in input order. */
  private void dispatch() {
    while (!closed) {
      Host host = ready.poll();
      if (host == null) {
        return;
      }
      host.inReady = false;
      Exchange exchange = host.head();
      if (exchange == null) {
        continue;
      }
      if (isOver(exchange)) { // cancelled while it waited, or its batch stopped
        dequeue(host);
        markReady(host);
        continue;
      }
      long now = nanoTime.getAsLong();
      if (host.blockedUntilNanos - now > 0) {
        dequeue(host);
        Duration wait = Duration.ofNanos(host.blockedUntilNanos - now);
        exchange.complete(
            exchange.failed(
                ErrorKind.RATE_LIMITED, new RateLimitedException(host.key, wait, maxRetryAfter)));
        markReady(host);
        continue;
      }
      if (host.pausedUntilNanos - now > 0) {
        wakeLater(host, host.pausedUntilNanos - now);
        continue;
      }
      if (!exchange.batch.mayStart()) { // its results wait for a slow consumer
        if (!host.stalled) {
          host.stalled = true;
          stalled.add(host);
        }
        continue;
      }
      if (!globalBulkhead.tryAcquirePermission()) {
        markReady(host);
        return; // every host needs a global slot; a call ending drains again
      }
      if (!host.bulkhead.tryAcquirePermission()) {
        globalBulkhead.onComplete();
        continue; // the host's own calls ending make it ready again
      }
      if (host.limiter.isRemote()) {
        dequeue(host);
        reserveRemotely(
            host.limiter,
            host,
            exchange,
            hostWait -> {
              if (hostWait < 0) {
                release(host);
                wakeLater(host, RETRY_NANOS); // first, so that putting it back readies nothing
                putBack(host, exchange);
              } else {
                hostPermitted(host, exchange, hostWait);
              }
            });
        continue;
      }
      long hostWait = host.limiter.reservePermission();
      if (hostWait < 0) {
        release(host);
        wakeLater(host, RETRY_NANOS);
        continue;
      }
      dequeue(host);
      hostPermitted(host, exchange, hostWait);
    }
  }

  /** The host's permit is reserved, due in {@code hostWait}: then the global one. */
  private void hostPermitted(Host host, Exchange exchange, long hostWait) {
    exchange.hostPeriod = host.limiter.busyPeriod();
    exchange.hostShift = host.limiter.shift();
    if (hostWait == 0) {
      admitGlobally(host, exchange);
    } else {
      host.timerArmed = true;
      later(hostWait, () -> admitGlobally(host, exchange));
    }
  }

  /** The host's permit is due: reserve the global one for the moment the call starts. */
  private void admitGlobally(Host host, Exchange exchange) {
    host.timerArmed = false;
    if (!stillWanted(host, exchange)) {
      return;
    }
    if (globalLimiter.isRemote()) {
      reserveRemotely(
          globalLimiter, host, exchange, wait -> globallyPermitted(host, exchange, wait));
    } else {
      globallyPermitted(host, exchange, globalLimiter.reservePermission());
    }
  }

  /**
   * Asks a remote {@code limiter} for a permit on a quota thread, and goes on with the answer on
   * the loop; the host waits meanwhile, as for a timer. A limiter that fails ends the input as
   * {@code QUOTA_UNAVAILABLE}: no call goes out without a permit.
   */
  private void reserveRemotely(
      Limiter limiter, Host host, Exchange exchange, LongConsumer withWait) {
    host.timerArmed = true;
    Runnable ask =
        () -> {
          long wait;
          try {
            wait = limiter.reservePermission();
          } catch (RuntimeException e) {
            post(
                () -> {
                  host.timerArmed = false;
                  release(host);
                  exchange.complete(exchange.failed(ErrorKind.QUOTA_UNAVAILABLE, e));
                  markReady(host);
                });
            return;
          }
          post(
              () -> {
                host.timerArmed = false;
                withWait.accept(wait);
              });
        };
    try {
      quotaThreads.execute(ask);
    } catch (RejectedExecutionException e) {
      // Closing: every exchange still waiting is ended by Batch.stop.
    }
  }

  /** The global permit is reserved, due in {@code wait}: start then. */
  private void globallyPermitted(Host host, Exchange exchange, long wait) {
    if (wait < 0) {
      release(host);
      wakeLater(host, RETRY_NANOS); // first, so that queueing it again readies nothing
      enqueue(exchange, true);
      return;
    }
    exchange.globalPeriod = globalLimiter.busyPeriod();
    exchange.globalShift = globalLimiter.shift();
    if (wait == 0) {
      start(host, exchange);
    } else {
      host.limiter.usedAt(nanoTime.getAsLong() + wait);
      host.timerArmed = true;
      later(
          wait,
          () -> {
            host.timerArmed = false;
            if (stillWanted(host, exchange)) {
              start(host, exchange);
            }
          });
    }
  }

  /**
   * Starts {@code exchange}, unless a request that left late shifted a limiter's schedule since its
   * permits were reserved: then it waits that much longer, as the server will count it.
   */
  private void start(Host host, Exchange exchange) {
    long hostShift = host.limiter.shift();
    long globalShift = globalLimiter.shift();
    long extra = Math.max(hostShift - exchange.hostShift, globalShift - exchange.globalShift);
    if (extra > 0) {
      exchange.hostShift = hostShift;
      exchange.globalShift = globalShift;
      host.timerArmed = true;
      later(
          extra,
          () -> {
            host.timerArmed = false;
            if (stillWanted(host, exchange)) {
              start(host, exchange);
            }
          });
      return;
    }
    exchange.planned(nanoTime.getAsLong());
    starter.accept(exchange);
    markReady(host);
  }

  @Override
  public void sent(Exchange exchange, long latenessNanos) {
    exchange.host.limiter.sent(latenessNanos, exchange.hostPeriod);
    globalLimiter.sent(latenessNanos, exchange.globalPeriod);
  }

  /**
   * Whether a call that held its slots while it waited for a permit should still start: not if it
   * was cancelled, nor if its host was paused meanwhile (it goes back to the head of the line).
   */
  private boolean stillWanted(Host host, Exchange exchange) {
    if (isOver(exchange)) {
      release(host);
      markReady(host);
      return false;
    }
    if (host.pausedUntilNanos - nanoTime.getAsLong() > 0) {
      release(host);
      enqueue(exchange, true);
      return false;
    }
    return true;
  }

  /**
   * Whether {@code exchange} is done, or must not start because its batch stopped: then it ends
   * now, as the batch's stop would end it. A stop ends every exchange it finds; this keeps the loop
   * from starting one it has not reached yet.
   */
  private static boolean isOver(Exchange exchange) {
    if (!exchange.isDone() && exchange.batch.isStopped()) {
      exchange.batch.endLate(exchange);
    }
    return exchange.isDone();
  }

  /** After an attempt: heed the server's quota signals, then retry or complete. Any thread. */
  private void decide(Exchange exchange, Result attempt) {
    Host host = exchange.host;
    int status = attempt.status();
    boolean overload = Retries.isOverload(status);
    Instant now = clock.instant();
    QuotaSignal signal =
        status == 0 ? QuotaSignal.NONE : QuotaHeaders.parse(attempt.headers(), now);
    Instant holdUntil = overload ? signal.retryAfter() : null;
    Instant reset = signal.reset();
    if (signal.remaining() == 0
        && reset != null
        && (holdUntil == null || reset.isAfter(holdUntil))) {
      holdUntil = reset;
    }
    long holdNanos =
        holdUntil == null ? 0 : Math.max(0, Duration.between(now, holdUntil).toNanos());
    boolean beyondCap = holdUntil != null && holdNanos > maxRetryAfter.toNanos();
    Duration window = signal.window();
    if (adaptToServerQuota && signal.limit() > 0 && window != null && !window.isZero()) {
      RateLimit announced = RateLimit.of(signal.limit(), window);
      post(() -> host.adaptTo(announced));
    }
    if (holdUntil != null) {
      long until = nanoTime.getAsLong() + holdNanos;
      post(() -> hold(host, until, beyondCap));
    }
    if (beyondCap && overload) {
      exchange.complete(exchange.withError(attempt, ErrorKind.RATE_LIMITED, null));
      return;
    }
    long backoffMillis = exchange.retry == null ? -1 : exchange.retry.onResult(attempt);
    if (Retries.isTooMany(status) && holdUntil == null) {
      // "Too many" without saying how long: spend the host's burst, and hold the host for the
      // backoff, so that its other inputs do not collect the same answer meanwhile.
      host.limiter.drainPermissions();
      if (backoffMillis > 0) {
        long until = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
        post(() -> hold(host, until, false));
      }
    }
    if (backoffMillis < 0 || beyondCap) {
      exchange.complete(attempt);
      return;
    }
    long delay;
    if (overload && signal.retryAfter() != null) {
      delay = holdNanos;
      exchange.addAdmissionWait(holdNanos); // the server's wait, unlike a backoff, is admission
    } else {
      delay = TimeUnit.MILLISECONDS.toNanos(backoffMillis);
    }
    later(
        delay,
        () -> {
          if (!exchange.isDone()) {
            enqueue(exchange, true);
          }
        });
  }

  /** Pauses {@code host} until {@code untilNanos}, or blocks it past the cap; never shortens. */
  private void hold(Host host, long untilNanos, boolean block) {
    if (block) {
      if (untilNanos - host.blockedUntilNanos > 0) {
        host.blockedUntilNanos = untilNanos;
      }
    } else if (untilNanos - host.pausedUntilNanos > 0) {
      host.pausedUntilNanos = untilNanos;
      host.limiter.holdUntil(untilNanos);
    }
  }

  private void enqueue(Exchange exchange, boolean first) {
    Host host = exchange.host;
    if (first) {
      host.queue.addFirst(exchange);
      if (host.inReady) { // its head changed: re-sort it
        ready.remove(host);
        host.inReady = false;
      }
    } else {
      host.queue.addLast(exchange);
    }
    pending++;
    exchange.queued(nanoTime.getAsLong());
    markReady(host);
  }

  /**
   * Puts {@code exchange}, taken from the head of its host's queue, back there, without readying
   * the host: its caller armed a timer for that.
   */
  private void putBack(Host host, Exchange exchange) {
    host.queue.addFirst(exchange);
    pending++;
  }

  private void dequeue(Host host) {
    host.queue.pollFirst();
    pending--;
  }

  private void markReady(Host host) {
    Exchange head = host.head();
    if (!host.inReady && !host.timerArmed && head != null) {
      host.readyKey = head.sequence;
      host.inReady = true;
      ready.add(host);
    }
  }

  private void wakeLater(Host host, long nanos) {
    host.timerArmed = true;
    later(
        nanos,
        () -> {
          host.timerArmed = false;
          markReady(host);
        });
  }

  /** Runs {@code task} on the loop after {@code nanos}. */
  private void later(long nanos, Runnable task) {
    try {
      var unused = scheduler.schedule(() -> post(task), nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // Closing: every exchange still waiting is ended by Batch.stop.
    }
  }

  private void release(Host host) {
    host.bulkhead.onComplete();
    globalBulkhead.onComplete();
  }
}
