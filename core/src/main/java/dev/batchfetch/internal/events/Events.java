package dev.batchfetch.internal.events;

import dev.batchfetch.BatchSummary;
import dev.batchfetch.ErrorKind;
import dev.batchfetch.FetchListener;
import dev.batchfetch.FetchListener.AttemptEnded;
import dev.batchfetch.FetchListener.AttemptStarted;
import dev.batchfetch.FetchListener.BatchEnded;
import dev.batchfetch.FetchListener.BatchProgress;
import dev.batchfetch.FetchListener.BatchStarted;
import dev.batchfetch.FetchListener.HostEvicted;
import dev.batchfetch.FetchListener.HostPaused;
import dev.batchfetch.FetchListener.InputEnded;
import dev.batchfetch.FetchListener.PauseReason;
import dev.batchfetch.FetchListener.PermitWaited;
import dev.batchfetch.FetchListener.RateChanged;
import dev.batchfetch.FetchListener.RateReason;
import dev.batchfetch.FetchListener.RetryScheduled;
import dev.batchfetch.Progress;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.internal.time.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Where a fetcher's parts report what they do: each method makes the event and queues it, and the
 * fetcher's events thread hands it to the user's listeners, then to the {@link LogListener}.
 *
 * <p>Why a queue and a thread of their own: events come from the admission loop, which must never
 * wait on a user's code, and from the calls' threads, whose time is the calls' time. Queuing one is
 * an allocation and a lock-free add; the listener then runs wherever it has time. A listener that
 * falls {@value FetchListener#QUEUE_CAPACITY} events behind loses attempt and host events, which
 * are counted and logged, never the batch events a gauge of running batches depends on.
 *
 * <p>An event is made only if somebody hears it: a listener, or the log at the level of its line
 * ({@code DEBUG} for those of each attempt), so that a fetcher nobody listens to allocates nothing
 * for them and starts no events thread, until a host pauses for a second, its rate changes or user
 * code throws. Thread-safe; the drain runs on one thread at a time.
 */
public final class Events {
  /** No listener, no log, no thread: for parts built without a fetcher (tests). */
  public static final Events NONE = new Events();

  private final String fetcher;
  private final FetchListener[] listeners;
  private final @Nullable LogListener logLines;
  private final Executor executor;
  private final Ticker ticker;
  private final Logger log;
  private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final Throttle droppedLines = new Throttle();
  private final Throttle[] failureLines;
  private volatile boolean closed;

  /** How long the drain waits for more events once the queue is empty; 0 not at all. */
  private final long lingerNanos;

  // Whether a listener overrides the method of each event made for every attempt or input: an event
  // nobody's method would see is not made (a listener of batches and pauses costs the calls
  // nothing).
  private final boolean startsHeard;
  private final boolean endsHeard;
  private final boolean inputsHeard;
  private final boolean waitsHeard;

  /**
   * @param fetcher the fetcher's name, in every event
   * @param listeners the user's, called in this order, before the log
   * @param executor runs the drain: a thread of the fetcher's, or a test's clock
   * @param log where the fetcher's log lines go, and the failures of listeners: {@link
   *     LogListener#LOG}, or a test's
   */
  public Events(
      String fetcher, List<FetchListener> listeners, Executor executor, Ticker ticker, Logger log) {
    this(fetcher, listeners, executor, 0, ticker, log);
  }

  /**
   * As {@link #Events(String, List, Executor, Ticker, Logger)}, with a drain that, once it has
   * delivered what was queued, waits {@code lingerNanos} for more before it lets its thread go.
   */
  public Events(
      String fetcher,
      List<FetchListener> listeners,
      Executor executor,
      long lingerNanos,
      Ticker ticker,
      Logger log) {
    this.fetcher = fetcher;
    this.lingerNanos = lingerNanos;
    this.listeners = listeners.toArray(new FetchListener[0]);
    this.logLines = new LogListener(ticker, log);
    this.executor = executor;
    this.ticker = ticker;
    this.log = log;
    this.failureLines = new Throttle[this.listeners.length];
    for (int i = 0; i < failureLines.length; i++) {
      failureLines[i] = new Throttle();
    }
    this.startsHeard = overridden(this.listeners, "attemptStarted", AttemptStarted.class);
    this.endsHeard = overridden(this.listeners, "attemptEnded", AttemptEnded.class);
    this.inputsHeard = overridden(this.listeners, "inputEnded", InputEnded.class);
    this.waitsHeard = overridden(this.listeners, "permitWaited", PermitWaited.class);
  }

  /** Whether one of {@code listeners} overrides {@code method}; true if that cannot be told. */
  private static boolean overridden(FetchListener[] listeners, String method, Class<?> event) {
    for (FetchListener listener : listeners) {
      try {
        if (listener.getClass().getMethod(method, event).getDeclaringClass()
            != FetchListener.class) {
          return true;
        }
      } catch (NoSuchMethodException | SecurityException e) {
        return true;
      }
    }
    return false;
  }

  /** Whether the log writes the lines of each attempt: it is at {@code DEBUG}. */
  private boolean logsAttempts() {
    LogListener lines = logLines;
    return lines != null && lines.wantsAttempts();
  }

  private Events() {
    this.fetcher = "none";
    this.listeners = new FetchListener[0];
    this.logLines = null;
    this.startsHeard = false;
    this.endsHeard = false;
    this.inputsHeard = false;
    this.waitsHeard = false;
    this.executor = Runnable::run;
    this.ticker = Ticker.system();
    this.log = LogListener.LOG;
    this.failureLines = new Throttle[0];
    this.lingerNanos = 0;
    this.closed = true;
  }

  /** Whether the events of each attempt and input are heard: by a listener, or the log. */
  public boolean detailed() {
    LogListener lines = logLines;
    return listeners.length > 0 || (lines != null && lines.wantsAttempts());
  }

  /** Whether the user gave listeners: then running batches report their progress to them. */
  public boolean listened() {
    return listeners.length > 0;
  }

  public void batchStarted(long batch, long total) {
    if (!detailed()) {
      return; // no listener, and the log is not at DEBUG: not even the events thread starts
    }
    offer(new BatchStarted(fetcher, batch, total), true);
  }

  public void batchProgress(Progress progress) {
    if (listened()) {
      offer(new BatchProgress(fetcher, progress), true);
    }
  }

  public void batchEnded(long batch, BatchSummary summary) {
    if (!detailed()) {
      return;
    }
    offer(new BatchEnded(fetcher, batch, summary), true);
  }

  public void attemptStarted(
      long batch, int index, String url, String host, int attempt, long queuedNanos) {
    if (startsHeard) {
      offer(
          new AttemptStarted(
              fetcher, batch, index, url, host, attempt, Duration.ofNanos(queuedNanos)),
          false);
    }
  }

  public void attemptEnded(
      long batch,
      int index,
      String url,
      String host,
      int attempt,
      int status,
      @Nullable ErrorKind error,
      @Nullable Throwable exception,
      long durationNanos,
      long bytes) {
    if (endsHeard || logsAttempts()) {
      offer(
          new AttemptEnded(
              fetcher,
              batch,
              index,
              url,
              host,
              attempt,
              status,
              error,
              exception,
              Duration.ofNanos(durationNanos),
              bytes),
          false);
    }
  }

  /** Made for every input when heard; for a failure of user code, always, for the log. */
  public void inputEnded(long batch, Result result) {
    if (inputsHeard || logsAttempts() || LogListener.isUsersFailure(result.error())) {
      offer(new InputEnded(fetcher, batch, result), false);
    }
  }

  public void permitWaited(
      long batch, int index, String host, FetchListener.Limiter limiter, long waitNanos) {
    if (waitsHeard) {
      offer(
          new PermitWaited(fetcher, batch, index, host, limiter, Duration.ofNanos(waitNanos)),
          false);
    }
  }

  public void retryScheduled(
      long batch,
      int index,
      String url,
      String host,
      int attempt,
      int status,
      @Nullable ErrorKind error,
      long delayNanos,
      boolean serverAsked) {
    if (!detailed()) {
      return;
    }
    offer(
        new RetryScheduled(
            fetcher,
            batch,
            index,
            url,
            host,
            attempt,
            status,
            error,
            Duration.ofNanos(delayNanos),
            serverAsked),
        false);
  }

  public void hostPaused(String host, long pauseNanos, PauseReason reason, boolean blocked) {
    LogListener lines = logLines;
    if (!listened() && (lines == null || !lines.wantsPause(pauseNanos))) {
      return;
    }
    Instant until = ticker.instant().plusNanos(pauseNanos);
    offer(
        new HostPaused(fetcher, host, Duration.ofNanos(pauseNanos), until, reason, blocked), false);
  }

  /**
   * A host's rate went from {@code from} to {@code to}; nothing if they are equal. The quota
   * controller calls it with {@link RateReason#LEARNED} when it moves a host's rate.
   */
  public void rateChanged(String host, @Nullable RateLimit from, RateLimit to, RateReason reason) {
    LogListener lines = logLines;
    if (!to.equals(from) && (listened() || (lines != null && lines.wantsRateChanges()))) {
      offer(new RateChanged(fetcher, host, from, to, reason), false);
    }
  }

  public void hostEvicted(String host) {
    if (!detailed()) {
      return;
    }
    offer(new HostEvicted(fetcher, host), false);
  }

  private void offer(Object event, boolean essential) {
    if (closed) {
      return;
    }
    if (!essential && size.get() >= FetchListener.QUEUE_CAPACITY) {
      dropped.incrementAndGet();
      return;
    }
    size.incrementAndGet();
    queue.add(event);
    if (wip.getAndIncrement() == 0) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        closed = true; // the fetcher closed meanwhile: its threads are gone
        queue.clear();
      }
    }
  }

  private void drain() {
    int missed = 1;
    do {
      deliverQueued();
      if (lingerNanos > 0) {
        // A busy batch makes events every few microseconds: waiting here for the next ones costs
        // one wake-up per linger, where handing the drain a new task for each would cost the
        // thread that made the event a hand-off, on its way with a call.
        LockSupport.parkNanos(this, lingerNanos);
        deliverQueued();
      }
      reportDropped();
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void deliverQueued() {
    for (Object event = queue.poll(); event != null; event = queue.poll()) {
      size.decrementAndGet();
      for (int i = 0; i < listeners.length; i++) {
        deliver(i, listeners[i], event);
      }
      LogListener lines = logLines;
      if (lines != null) {
        deliver(-1, lines, event);
      }
    }
  }

  private void deliver(int listener, FetchListener to, Object event) {
    try {
      dispatch(to, event);
    } catch (Throwable e) { // a listener's Error too: it must never break a batch
      if (listener < 0) {
        log.error("{}: the log of events failed on {}", fetcher, event, e);
        return;
      }
      long held = failureLines[listener].pass(ticker.nanoTime());
      if (held == 0) {
        log.warn(
            "{}: the event listener {} threw on {}; ignored",
            fetcher,
            to,
            event.getClass().getSimpleName(),
            e);
      } else if (held > 0) {
        log.warn(
            "{}: the event listener {} threw on {}, and {} times more since the last line: {}",
            fetcher,
            to,
            event.getClass().getSimpleName(),
            held,
            e.toString());
      }
    }
  }

  private void reportDropped() {
    long count = dropped.get();
    if (count > 0 && droppedLines.pass(ticker.nanoTime()) >= 0) {
      dropped.addAndGet(-count);
      log.warn(
          "{}: dropped {} events: the event listeners are {} events behind",
          fetcher,
          count,
          FetchListener.QUEUE_CAPACITY);
    }
  }

  private static void dispatch(FetchListener to, Object event) {
    if (event instanceof AttemptStarted e) {
      to.attemptStarted(e);
    } else if (event instanceof AttemptEnded e) {
      to.attemptEnded(e);
    } else if (event instanceof InputEnded e) {
      to.inputEnded(e);
    } else if (event instanceof PermitWaited e) {
      to.permitWaited(e);
    } else if (event instanceof RetryScheduled e) {
      to.retryScheduled(e);
    } else if (event instanceof HostPaused e) {
      to.hostPaused(e);
    } else if (event instanceof RateChanged e) {
      to.rateChanged(e);
    } else if (event instanceof HostEvicted e) {
      to.hostEvicted(e);
    } else if (event instanceof BatchStarted e) {
      to.batchStarted(e);
    } else if (event instanceof BatchProgress e) {
      to.batchProgress(e);
    } else if (event instanceof BatchEnded e) {
      to.batchEnded(e);
    }
  }
}
