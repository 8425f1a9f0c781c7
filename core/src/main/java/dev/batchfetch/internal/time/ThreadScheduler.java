package dev.batchfetch.internal.time;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Scheduler} whose timers fire on a timer thread shared by every fetcher of the JVM and
 * whose tasks run one at a time, in order, on the fetcher's own serial executor. Its delays run on
 * {@link System#nanoTime()}, the clock of {@link Ticker#system()}. Shutting it down cancels its
 * timers and leaves the shared timer running for the others. Thread-safe.
 */
public final class ThreadScheduler implements Scheduler {
  private final ScheduledExecutorService timer;
  private final ExecutorService serial;
  private final Set<Timer> timers = ConcurrentHashMap.newKeySet();

  /**
   * @param timer fires the timers; shared, never shut down here
   * @param serial runs the tasks, one at a time; shut down with this scheduler
   */
  public ThreadScheduler(ScheduledExecutorService timer, ExecutorService serial) {
    this.timer = timer;
    this.serial = serial;
  }

  /** A timer thread from {@code threads}, ending when idle for {@code keepAlive}. */
  public static ScheduledThreadPoolExecutor timer(ThreadFactory threads, Duration keepAlive) {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, threads);
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(keepAlive.toNanos(), TimeUnit.NANOSECONDS);
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    if (delayNanos <= 0) {
      Timer now = new Timer(task, false);
      return runSoon(now::fire) ? now : Cancellable.NONE;
    }
    return start(new Timer(task, false), t -> timer.schedule(t, delayNanos, TimeUnit.NANOSECONDS));
  }

  @Override
  public Cancellable scheduleAtFixedRate(long periodNanos, Runnable task) {
    return start(
        new Timer(task, true),
        t -> timer.scheduleAtFixedRate(t, periodNanos, periodNanos, TimeUnit.NANOSECONDS));
  }

  private Cancellable start(
      Timer t, java.util.function.Function<Timer, ScheduledFuture<?>> schedule) {
    if (serial.isShutdown()) {
      return Cancellable.NONE;
    }
    timers.add(t);
    try {
      t.future = schedule.apply(t);
    } catch (RejectedExecutionException e) {
      timers.remove(t);
      return Cancellable.NONE;
    }
    if (serial.isShutdown()) { // shut down while we scheduled: its sweep may have missed this one
      t.cancel();
      return Cancellable.NONE;
    }
    return t;
  }

  @Override
  public boolean runSoon(Runnable task) {
    try {
      serial.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Cancels every timer, drops the queued tasks and interrupts the running one. */
  public void shutdownNow() {
    serial.shutdownNow();
    timers.forEach(Timer::cancel);
  }

  /** Cancels every timer and takes no new task; what is queued or running ends by itself. */
  public void shutdown() {
    serial.shutdown();
    timers.forEach(Timer::cancel);
  }

  /** Waits until no task runs, or the deadline on the system clock passed. */
  public boolean awaitTermination(long deadlineNanos) throws InterruptedException {
    return serial.awaitTermination(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  /** One timer: when it fires, its task goes to the serial executor. */
  private final class Timer implements Runnable, Cancellable {
    private final Runnable task;
    private final boolean repeats;
    private volatile @Nullable ScheduledFuture<?> future;
    private volatile boolean cancelled;

    Timer(Runnable task, boolean repeats) {
      this.task = task;
      this.repeats = repeats;
    }

    /** Fired, on the timer thread: hands the task on. */
    @Override
    public void run() {
      if (!repeats) {
        timers.remove(this);
      }
      if (!runSoon(this::fire)) {
        cancel();
      }
    }

    /** On the serial executor: runs the task unless cancelled meanwhile. */
    void fire() {
      if (!cancelled) {
        task.run();
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      timers.remove(this);
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
    }
  }
}
