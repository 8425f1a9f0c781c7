package dev.batchfetch.internal.admission;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.FetchListener;
import dev.batchfetch.FetchListener.PauseReason;
import dev.batchfetch.FetchListener.RateReason;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.internal.admission.Decision.Verdict;
import dev.batchfetch.internal.batch.Batch;
import dev.batchfetch.internal.batch.Prepared;
import dev.batchfetch.internal.batch.Results;
import dev.batchfetch.internal.discovery.HostQuota;
import dev.batchfetch.internal.discovery.Outcome;
import dev.batchfetch.internal.events.Events;
import dev.batchfetch.internal.limit.Limiter;
import dev.batchfetch.internal.limit.Permit;
import dev.batchfetch.internal.quota.QuotaSignal;
import dev.batchfetch.internal.time.Scheduler;
import dev.batchfetch.internal.time.Ticker;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.net.ProtocolException;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.Request;
import org.jspecify.annotations.Nullable;

/**
 * Decides when each call may start.
 *
 * <p>Inputs are taken from the batches in order (at most {@code maxPending} ahead of what has
 * started) into a queue per host. A host is <em>ready</em> when it has inputs and nothing holds it
 * back; the ready hosts are served in input order, so one host waiting for its quota or a pause
 * never holds up the others. Serving a host takes a slot of the global bulkhead and one of the
 * host's, then a permit of the host's rate limiter and one of the global limiter, in that order:
 * the global permit is reserved for the very moment the call starts. A permit not yet due is a
 * timer; a remote limiter is asked on a quota thread; nothing blocks the loop.
 *
 * <p>After an attempt, the host's quota discovery hears how it ended (and paces the host's limiter
 * at what it learns), {@link Decision} says what it means; its verdict pauses or blocks the host,
 * the slots go back, and a retry joins the head of the host's queue after its wait. A redirect's
 * request joins the head of its own host's queue at once: every request, follow-ups included, takes
 * a slot and a permit. Until discovery sees a sign of a host's quota, the host's calls in flight
 * follow its slow start.
 *
 * <p>All state but the thread-safe limiters and bulkheads is confined to the {@link Loop}: every
 * method here runs on it, except {@link #submit}, {@link #close} and {@link #attemptEnded}, which
 * post to it.
 */
public final class Admission implements Exchange.Listener {
  /** When a limiter cannot reserve a permit within its timeout, ask again after this long. */
  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /**
   * The fixed parts of admission: what it admits against, and the rules after an attempt.
   *
   * @param inputTimeout the most time an input spends in flight over all its attempts; zero for no
   *     limit
   */
  public record Limits(
      Limiter globalLimiter,
      Bulkhead globalBulkhead,
      Hosts hosts,
      Retries retries,
      Duration maxRetryAfter,
      boolean adaptToServerQuota,
      int maxPending,
      Duration inputTimeout) {}

  private final Limits limits;
  private final Limiter globalLimiter;
  private final Bulkhead globalBulkhead;
  private final int width;
  private final Hosts hosts;
  private final Transport transport;
  private final Executor quotaThreads;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final Loop loop;
  private final Events events;
  private final Queue<Batch> batches = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  // Confined to the loop.
  private final PriorityQueue<Host> ready =
      new PriorityQueue<>(Comparator.comparingLong(Host::readyKey));
  private final List<Host> stalled = new ArrayList<>();
  private int pending;
  private long nextSequence;

  /**
   * @param quotaThreads where remote limiters are asked for permits, never the loop
   * @param events hears the decisions: waits for permits, retries, pauses, rates, evictions
   */
  public Admission(
      Limits limits,
      Transport transport,
      Scheduler scheduler,
      Executor quotaThreads,
      Ticker ticker,
      Events events) {
    this.limits = limits;
    this.globalLimiter = limits.globalLimiter();
    this.globalBulkhead = limits.globalBulkhead();
    this.width = globalBulkhead.getBulkheadConfig().getMaxConcurrentCalls();
    this.hosts = limits.hosts();
    this.transport = transport;
    this.quotaThreads = quotaThreads;
    this.ticker = ticker;
    this.scheduler = scheduler;
    this.loop = new Loop(scheduler, this::step);
    this.events = events;
    hosts.onEvicted(events::hostEvicted);
  }

  /** Queues {@code batch} behind the batches already queued; its work starts on the loop. */
  public void submit(Batch batch) {
    batches.add(batch);
    loop.wake();
  }

  /** Stops admitting; what is queued is ended by {@link Batch#stop}. */
  public void close() {
    closed = true;
  }

  /** Runs a pass of the loop now: a batch stopped, and what it ended may free slots. */
  public void drain() {
    loop.drain();
  }

  /** A streamed batch's consumer caught up: the hosts it stalled may go on. */
  public void unstall() {
    loop.post(
        () -> {
          for (Host host : stalled) {
            host.unstall();
            markReady(host);
          }
          stalled.clear();
        });
  }

  private void step() {
    fill();
    dispatch();
  }

  /** After an attempt: apply the decision, then give the slots back. Any thread. */
  @Override
  public void attemptEnded(
      Exchange exchange, Result attempt, QuotaSignal signal, @Nullable Request followUp) {
    Host host = exchange.host;
    try {
      Decision.Throttling throttling = heard(exchange, attempt, signal);
      if (!exchange.isDone()) {
        Retries.Attempts retry = exchange.retry;
        // A redirect is not retried: it is a response, whose follow-up is a request of its own.
        long backoff = retry == null || followUp != null ? -1 : retry.backoffAfter(attempt);
        Verdict verdict =
            Decision.decide(
                attempt,
                signal,
                backoff,
                ticker.instant(),
                limits.maxRetryAfter(),
                limits.adaptToServerQuota(),
                throttling);
        if (!verdict.counted() && retry != null) {
          retry.forgive();
        }
        PauseReason why = Decision.holdReason(attempt, signal, verdict);
        if (followUp == null || !follows(exchange, attempt, why, verdict, followUp)) {
          apply(exchange, attempt, why, verdict);
        }
      }
    } finally {
      // The slots go back on the loop, after the hold the verdict posted: released at once, they
      // could let the loop start the host's next call before it heard of the hold.
      loop.post(
          () -> {
            release(host);
            markReady(host);
          });
    }
  }

  /**
   * Whether the input goes on with {@code followUp}, a redirect's request: then the host hears
   * {@code verdict} (a redirect may say something of the quota), and the follow-up joins the head
   * of its own host's queue, to take a slot and a permit like any request. False if the verdict
   * says more than a redirect (a hold past the cap), or the input followed too many already: then
   * {@code verdict} applies as it is, and the redirect is the input's result.
   */
  private boolean follows(
      Exchange exchange, Result attempt, PauseReason why, Verdict verdict, Request followUp) {
    Result result = verdict.result();
    if (result == null || result.error() != ErrorKind.HTTP_STATUS || verdict.block()) {
      return false;
    }
    if (!exchange.mayFollow()) {
      ProtocolException tooMany =
          new ProtocolException("Too many follow-up requests: " + (Exchange.MAX_FOLLOW_UPS + 1));
      apply(
          exchange,
          attempt,
          why,
          new Verdict(
              verdict.holdNanos(),
              false,
              verdict.drain(),
              verdict.slowTo(),
              Results.withError(result, ErrorKind.HTTP_STATUS, tooMany),
              0,
              false));
      return true;
    }
    applyToHost(exchange.host, why, verdict);
    loop.post(
        () -> {
          if (!exchange.isDone()) {
            exchange.follow(followUp, hosts.of(followUp.url()));
            enqueue(exchange, true);
          }
        });
    return true;
  }

  /**
   * Tells the host's quota discovery how the attempt ended, and returns what it says of the host
   * and the input; {@link Decision.Throttling#OFF} when discovery does not pace the host.
   */
  private Decision.Throttling heard(Exchange exchange, Result attempt, QuotaSignal signal) {
    HostQuota quota = exchange.host.quota();
    if (quota == null) {
      return Decision.Throttling.OFF;
    }
    long now = ticker.nanoTime();
    long sent = exchange.sentNanos();
    HostQuota.Change change =
        quota.onOutcome(
            Outcome.of(
                now - sent < 0 ? now : sent, now, attempt.status(), signal, ticker.instant()));
    rateChanged(exchange.host, change, RateReason.LEARNED);
    double rate = quota.rate();
    return new Decision.Throttling(
        true,
        quota.canSlowDown(),
        exchange.retry != null,
        limits.retries().rateLimitBudgetNanos() - (now - exchange.firstStartNanos()),
        rate == Double.POSITIVE_INFINITY ? 0 : (long) Math.min(Long.MAX_VALUE, 1e9 / rate));
  }

  private void apply(Exchange exchange, Result attempt, PauseReason why, Verdict verdict) {
    Result result = verdict.result();
    if (result == null) { // first: when a hold and the retry's wait end together, it goes first
      retryLater(exchange, attempt, verdict);
    }
    applyToHost(exchange.host, why, verdict);
    if (result != null) {
      exchange.complete(result);
    }
  }

  /** What {@code verdict} says of {@code host}: slow it, spend its burst, hold or block it. */
  private void applyToHost(Host host, PauseReason why, Verdict verdict) {
    RateLimit slowTo = verdict.slowTo();
    if (slowTo != null) {
      loop.post(() -> slowTo(host, slowTo));
    }
    if (verdict.drain()) {
      host.limiter().drain();
    }
    if (verdict.holdNanos() > 0) {
      long hold = verdict.holdNanos();
      long until = ticker.nanoTime() + hold;
      boolean block = verdict.block();
      loop.post(
          () -> {
            boolean longer = block ? host.blockUntil(until) : host.pauseUntil(until);
            if (longer) {
              events.hostPaused(host.key, hold, why, block);
            }
          });
    }
  }

  /**
   * Slows {@code host} to the quota its server announced, and tells the listeners if its rate
   * changed. (Quota discovery reports a rate it learned the same way, with {@link
   * RateReason#LEARNED}.)
   */
  private void slowTo(Host host, RateLimit announced) {
    RateLimit before = host.rate();
    host.slowTo(announced);
    RateLimit after = host.rate();
    if (after != null) {
      events.rateChanged(host.key, before, after, RateReason.SERVER_QUOTA);
    }
  }

  /** Queues {@code exchange} again, at the head of its host's queue, after the verdict's wait. */
  private void retryLater(Exchange exchange, Result attempt, Verdict verdict) {
    if (verdict.retryWaitIsAdmission()) {
      exchange.addAdmissionWait(verdict.retryInNanos()); // the server's wait, unlike a backoff
    }
    events.retryScheduled(
        exchange.batch.tally().batch(),
        exchange.index(),
        exchange.url(),
        exchange.host.key,
        attempt.attempts(),
        attempt.status(),
        attempt.error(),
        verdict.retryInNanos(),
        verdict.retryWaitIsAdmission());
    loop.later(
        verdict.retryInNanos(),
        () -> {
          if (!exchange.isDone()) {
            enqueue(exchange, true);
          }
        });
  }

  // Intake: from the batches into the hosts' queues.

  /**
   * Takes inputs from the batches into their hosts' queues, up to {@code maxPending}: from the
   * oldest batch first, and from a younger one while an older one has nothing to give now.
   */
  private void fill() {
    Iterator<Batch> it = batches.iterator();
    Batch batch = null;
    while (!closed && pending < limits.maxPending()) {
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
    Object input = batch.input(index);
    if (!batch.claim(index)) {
      return; // the batch stopped meanwhile
    }
    Prepared prepared = batch.prepare(index, input);
    if (prepared instanceof Prepared.Invalid invalid) {
      batch.fail(index, invalid);
      return;
    }
    Prepared.Ready request = (Prepared.Ready) prepared;
    Exchange exchange =
        new Exchange(
            batch,
            index,
            request.url(),
            request.request(),
            hosts.of(request.request().url()),
            nextSequence++,
            limits.retries().attemptsFor(request.request()),
            this,
            ticker,
            scheduler,
            limits.inputTimeout().toNanos());
    batch.track(exchange);
    if (closed || batch.isStopped()) { // stopped while we claimed: its stop() may have missed this
      batch.endLate(exchange);
      return;
    }
    enqueue(exchange, false);
  }

  // Dispatch: serving the ready hosts.

  /** Starts what may start now, host by host in input order. */
  private void dispatch() {
    while (!closed) {
      Host host = ready.poll();
      if (host == null) {
        return;
      }
      host.leftReady();
      Exchange exchange = host.head();
      if (exchange == null) {
        continue;
      }
      if (isOver(exchange)) { // cancelled while it waited, or its batch stopped
        dequeue(host);
        markReady(host);
        continue;
      }
      long now = ticker.nanoTime();
      heedShared(host, now);
      if (host.blockedFor(now) > 0) {
        dequeue(host);
        Duration wait = Duration.ofNanos(host.blockedFor(now));
        exchange.complete(
            exchange.failed(
                ErrorKind.RATE_LIMITED,
                new RateLimitedException(host.key, wait, limits.maxRetryAfter())));
        markReady(host);
        continue;
      }
      if (host.pausedFor(now) > 0) {
        wakeLater(host, host.pausedFor(now));
        continue;
      }
      if (!exchange.batch.mayStart()) { // its results wait for a slow consumer
        if (host.stall()) {
          stalled.add(host);
        }
        continue;
      }
      if (!host.hasRoom(width)) {
        continue; // quota discovery's slow start: the host's calls ending make it ready again
      }
      if (!globalBulkhead.tryAcquirePermission()) {
        markReady(host);
        return; // every host needs a global slot; a call ending drains again
      }
      if (!host.bulkhead.tryAcquirePermission()) {
        globalBulkhead.onComplete();
        continue; // the host's own calls ending make it ready again
      }
      host.took();
      dequeue(host);
      reserve(host.limiter(), host, exchange, permit -> hostPermitted(host, exchange, permit));
    }
  }

  /** The host's permit is reserved: then the global one, once the host's is due. */
  private void hostPermitted(Host host, Exchange exchange, Permit permit) {
    exchange.hostPermit = permit;
    waited(exchange, FetchListener.Limiter.HOST, permit);
    if (permit.waitNanos() == 0) {
      admitGlobally(host, exchange);
    } else {
      host.waitForWake();
      loop.later(
          permit.waitNanos(),
          () -> {
            host.woken();
            admitGlobally(host, exchange);
          });
    }
  }

  /** The host's permit is due: reserve the global one for the moment the call starts. */
  private void admitGlobally(Host host, Exchange exchange) {
    if (stillWanted(host, exchange)) {
      reserve(globalLimiter, host, exchange, permit -> globallyPermitted(host, exchange, permit));
    }
  }

  /** The global permit is reserved: start when it is due. */
  private void globallyPermitted(Host host, Exchange exchange, Permit permit) {
    exchange.globalPermit = permit;
    waited(exchange, FetchListener.Limiter.GLOBAL, permit);
    long wait = permit.waitNanos();
    if (wait == 0) {
      start(host, exchange);
      return;
    }
    exchange.hostPermit.usedAt(ticker.nanoTime() + wait);
    startLater(host, exchange, wait);
  }

  private void waited(Exchange exchange, FetchListener.Limiter limiter, Permit permit) {
    if (permit.waitNanos() > 0) {
      events.permitWaited(
          exchange.batch.tally().batch(),
          exchange.index(),
          exchange.host.key,
          limiter,
          permit.waitNanos());
    }
  }

  /**
   * Reserves a permit of {@code limiter} for {@code exchange}, taken off its host's queue with its
   * slots held, and goes on with {@code permitted} on the loop. A local limiter answers at once; a
   * remote one is asked on a quota thread while the host waits, as for a timer. Without a permit
   * within the limiter's timeout, the slots go back and the exchange returns to the head of the
   * queue for a while; a limiter that fails, with anything, an {@link Error} included, ends the
   * input as {@code QUOTA_UNAVAILABLE}: no call goes out without a permit.
   */
  private void reserve(Limiter limiter, Host host, Exchange exchange, Consumer<Permit> permitted) {
    if (!limiter.isRemote()) {
      answered(limiter.reserve(), host, exchange, permitted);
      return;
    }
    host.waitForWake();
    Runnable ask =
        () -> {
          Permit permit;
          try {
            permit = limiter.reserve();
          } catch (Throwable e) { // an Error too: the input ends, unsent, and nothing escapes
            loop.post(
                () -> {
                  host.woken();
                  release(host);
                  exchange.complete(exchange.failed(ErrorKind.QUOTA_UNAVAILABLE, e));
                  markReady(host);
                });
            return;
          }
          loop.post(
              () -> {
                host.woken();
                answered(permit, host, exchange, permitted);
              });
        };
    try {
      quotaThreads.execute(ask);
    } catch (RejectedExecutionException e) {
      // Closing: every exchange still waiting is ended by Batch.stop.
    }
  }

  private void answered(
      @Nullable Permit permit, Host host, Exchange exchange, Consumer<Permit> permitted) {
    if (permit != null) {
      permitted.accept(permit);
      return;
    }
    release(host);
    wakeLater(host, RETRY_NANOS); // first, so that putting it back readies nothing
    host.enqueue(exchange, true); // back at the head, its wait for admission going on
    pending++;
  }

  /**
   * Starts {@code exchange}, unless a request that left late shifted a limiter's schedule since its
   * permits were reserved: then it waits that much longer, as the server will count it.
   */
  private void start(Host host, Exchange exchange) {
    long extra =
        Math.max(
            exchange.hostPermit.shiftSinceReserved(), exchange.globalPermit.shiftSinceReserved());
    if (extra > 0) {
      exchange.hostPermit.rebase();
      exchange.globalPermit.rebase();
      startLater(host, exchange, extra);
      return;
    }
    if (exchange.planned(ticker.nanoTime())) {
      transport.send(exchange);
    } else { // its earlier attempts spent its whole time in flight
      release(host);
      exchange.complete(exchange.timedOut());
    }
    markReady(host);
  }

  private void startLater(Host host, Exchange exchange, long nanos) {
    host.waitForWake();
    loop.later(
        nanos,
        () -> {
          host.woken();
          if (stillWanted(host, exchange)) {
            start(host, exchange);
          }
        });
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
    long now = ticker.nanoTime();
    heedShared(host, now);
    if (host.pausedFor(now) > 0) {
      release(host);
      enqueue(exchange, true);
      return false;
    }
    return true;
  }

  /** Tells the listeners of {@code change} of the rate {@code host} is paced at, if any. */
  private void rateChanged(Host host, HostQuota.@Nullable Change change, RateReason why) {
    if (change != null && change.to() != Double.POSITIVE_INFINITY) {
      events.rateChanged(
          host.key,
          // From nothing learned yet: from the configured rate, if the host has one.
          change.from() == Double.POSITIVE_INFINITY
              ? host.rate()
              : HostQuota.limitOf(change.from()),
          HostQuota.limitOf(change.to()),
          why);
    }
  }

  /**
   * Heeds what the host's quota store holds that another fetcher learned, before a call starts: a
   * lower rate slows the host, a longer pause pauses it.
   */
  private void heedShared(Host host, long now) {
    HostQuota quota = host.quota();
    if (quota == null) {
      return;
    }
    Instant wall = ticker.instant();
    HostQuota.Heard heard = quota.heed(now, wall);
    rateChanged(host, heard.change(), RateReason.SHARED);
    Instant pause = heard.pause();
    if (pause != null) {
      long hold = Host.nanosBetween(wall, pause);
      if (hold > 0 && host.pauseUntil(now + hold)) {
        events.hostPaused(host.key, hold, PauseReason.SHARED, false);
      }
    }
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

  // The hosts' queues and the ready queue.

  private void enqueue(Exchange exchange, boolean first) {
    Host host = exchange.host;
    if (first && host.isReady()) { // its head changes: take it out to re-sort it
      ready.remove(host);
      host.leftReady();
    }
    host.enqueue(exchange, first);
    pending++;
    exchange.queued(ticker.nanoTime());
    markReady(host);
  }

  private void dequeue(Host host) {
    host.dequeue();
    pending--;
  }

  private void markReady(Host host) {
    if (host.becomeReady()) {
      ready.add(host);
    }
  }

  private void wakeLater(Host host, long nanos) {
    host.waitForWake();
    loop.later(
        nanos,
        () -> {
          host.woken();
          markReady(host);
        });
  }

  private void release(Host host) {
    host.gaveBack();
    host.bulkhead.onComplete();
    globalBulkhead.onComplete();
  }
}
