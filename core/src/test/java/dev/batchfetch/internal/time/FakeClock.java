package dev.batchfetch.internal.time;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A manual {@link Ticker} and {@link Scheduler} for tests, in the spirit of Caffeine's {@code
 * FakeTicker} and OkHttp's {@code TaskFaker}: time moves only when the test {@link #advance}s it,
 * and then every task due by the new time runs on the test's thread, in the order of its due time
 * (and of scheduling, for equal times). Nothing runs on the caller's stack when it is scheduled, so
 * a test sees exactly what happens at each instant.
 *
 * <p>Its wall clock starts at 2026-01-01T00:00:00Z and moves with the monotonic one. It is also an
 * {@link Executor} whose tasks run as tasks due now.
 *
 * <p>Thread-safe, though tests drive it from one thread.
 */
public final class FakeClock implements Ticker, Scheduler, Executor {
  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  /** Starts far from zero, so that code comparing with 0 instead of another reading is caught. */
  private static final long START = TimeUnit.DAYS.toNanos(1_000);

  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long now = START;
  private long sequence;
  private boolean shutdown;

  private final class Task implements Comparable<Task>, Cancellable {
    long due;
    long order = sequence++;
    final long period;
    final Runnable runnable;

    Task(long due, long period, Runnable runnable) {
      this.due = due;
      this.period = period;
      this.runnable = runnable;
    }

    @Override
    public int compareTo(Task other) {
      int byDue = Long.compare(due - START, other.due - START);
      return byDue != 0 ? byDue : Long.compare(order, other.order);
    }

    @Override
    public void cancel() {
      synchronized (FakeClock.this) {
        tasks.remove(this);
      }
    }
  }

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public synchronized Instant instant() {
    return EPOCH.plusNanos(now - START);
  }

  /** The time since this clock started. */
  public synchronized Duration elapsed() {
    return Duration.ofNanos(now - START);
  }

  @Override
  public synchronized Cancellable schedule(long delayNanos, Runnable task) {
    if (shutdown) {
      return Cancellable.NONE;
    }
    Task t = new Task(now + Math.max(0, delayNanos), 0, task);
    tasks.add(t);
    return t;
  }

  @Override
  public synchronized Cancellable scheduleAtFixedRate(long periodNanos, Runnable task) {
    if (shutdown) {
      return Cancellable.NONE;
    }
    Task t = new Task(now + periodNanos, periodNanos, task);
    tasks.add(t);
    return t;
  }

  @Override
  public boolean runSoon(Runnable task) {
    synchronized (this) {
      if (shutdown) {
        return false;
      }
    }
    var unused = schedule(0, task);
    return true;
  }

  /** As an {@link Executor}: runs {@code task} as a task due now. */
  @Override
  public void execute(Runnable task) {
    boolean unused = runSoon(task);
  }

  /** Runs what is due now, and what that schedules for now, without moving time. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** Moves time on by {@code duration}, running every task due meanwhile at its own time. */
  public void advance(Duration duration) {
    long target;
    synchronized (this) {
      target = now + duration.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due - target > 0) {
          now = target;
          return;
        }
        tasks.poll();
        now = Math.max(now, next.due);
        if (next.period > 0) { // the same task again, so that its handle still cancels it
          next.due += next.period;
          next.order = sequence++;
          tasks.add(next);
        }
      }
      next.runnable.run();
    }
  }

  /** Moves time to the next task's due time and runs what is due then; false if none is left. */
  public boolean advanceToNext() {
    long due;
    synchronized (this) {
      Task next = tasks.peek();
      if (next == null) {
        return false;
      }
      due = next.due;
    }
    advance(Duration.ofNanos(Math.max(0, due - nanoTime())));
    return true;
  }

  /** Tasks waiting, periodic ones included. */
  public synchronized int pending() {
    return tasks.size();
  }

  /** Drops every task and refuses new ones, as a closing fetcher's scheduler does. */
  public synchronized void shutdown() {
    shutdown = true;
    tasks.clear();
  }
}
