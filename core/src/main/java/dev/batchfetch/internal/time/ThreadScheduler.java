package dev.batchfetch.internal.time;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Scheduler} on one thread of a {@link ScheduledThreadPoolExecutor}, which ends when idle
 * for the keep-alive and starts again when needed. Its delays run on {@link System#nanoTime()}, the
 * clock of {@link Ticker#system()}.
 */
public final class ThreadScheduler implements Scheduler {
  private final ScheduledThreadPoolExecutor executor;

  public ThreadScheduler(ThreadFactory threads, long keepAliveNanos) {
    this.executor = new ScheduledThreadPoolExecutor(1, threads);
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(keepAliveNanos, TimeUnit.NANOSECONDS);
    executor.allowCoreThreadTimeOut(true);
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    try {
      ScheduledFuture<?> future = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    } catch (RejectedExecutionException e) {
      return Cancellable.NONE;
    }
  }

  @Override
  public Cancellable scheduleAtFixedRate(long periodNanos, Runnable task) {
    try {
      ScheduledFuture<?> future =
          executor.scheduleAtFixedRate(task, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    } catch (RejectedExecutionException e) {
      return Cancellable.NONE;
    }
  }

  @Override
  public boolean runSoon(Runnable task) {
    try {
      executor.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Drops every timer and stops the thread once its running task returns. */
  public void shutdownNow() {
    executor.shutdownNow();
  }

  /** Waits until the thread has stopped, or the deadline on the system clock passed. */
  public boolean awaitTermination(long deadlineNanos) throws InterruptedException {
    return executor.awaitTermination(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
  }
}
