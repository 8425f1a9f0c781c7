package dev.batchfetch.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One role's share of a fetcher's work, run on an executor it does not own (the JVM's shared pool,
 * or the user's): at most {@code width} tasks at once, the rest queued in order. A task that ends
 * hands the next one to the same thread, so a lane never holds more threads than its width, and it
 * holds none once its queue is empty. It can be shut down and awaited like a pool of its own, which
 * leaves the executor under it untouched: {@link #shutdownNow} interrupts only the threads running
 * this lane's tasks, and only while they do. Thread-safe.
 */
final class Lane extends AbstractExecutorService {
  private static final Logger log = LoggerFactory.getLogger(Lane.class);
  private static final int RUNNING = 0;
  private static final int SHUTDOWN = 1;
  private static final int STOP = 2;

  private final String name;
  private final Executor executor;
  private final int width;
  private final boolean rename;
  private final boolean failuresReported;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger running = new AtomicInteger();
  private final Set<Thread> busy = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private volatile int state = RUNNING;

  /**
   * @param name what the lane's threads are called while they run its tasks, when {@code rename}
   * @param executor where the lane's tasks run; never shut down by the lane
   * @param width the most tasks running at once
   * @param rename whether to name the threads after the lane while they run its tasks: for the
   *     shared pool's threads, not for the user's
   * @param failuresReported whether an exception a task throws was already reported elsewhere
   *     (OkHttp rethrows what an interceptor threw after handing it to the call's callback), and is
   *     only logged at debug level; otherwise it is a bug, logged as an error. Either way it is
   *     caught: nothing a task throws reaches an uncaught-exception handler.
   */
  Lane(String name, Executor executor, int width, boolean rename, boolean failuresReported) {
    this.name = name;
    this.executor = executor;
    this.width = width;
    this.rename = rename;
    this.failuresReported = failuresReported;
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    if (state != RUNNING) {
      throw new RejectedExecutionException(name + " is shut down");
    }
    queue.add(task);
    if (state != RUNNING && queue.remove(task)) {
      throw new RejectedExecutionException(name + " is shut down");
    }
    try {
      startRunner();
    } catch (RejectedExecutionException e) { // the user's executor refused: so do we
      if (queue.remove(task)) {
        throw e;
      }
    }
  }

  /** Starts one more runner if there is queued work and room under the width. */
  private void startRunner() {
    for (int r = running.get(); r < width && !queue.isEmpty(); r = running.get()) {
      if (running.compareAndSet(r, r + 1)) {
        try {
          executor.execute(this::run);
        } catch (RuntimeException e) {
          running.decrementAndGet();
          signalIfTerminated();
          throw e;
        }
        return;
      }
    }
  }

  /** A runner: the lane's tasks one after another on this thread, until none is queued. */
  private void run() {
    Thread thread = Thread.currentThread();
    String own = thread.getName();
    busy.add(thread);
    if (rename) {
      thread.setName(name);
    }
    try {
      while (true) {
        Runnable task = state == STOP ? null : queue.poll();
        if (task == null) {
          running.decrementAndGet();
          if (!mayGoOn()) {
            return;
          }
          continue;
        }
        runTask(task);
      }
    } finally {
      if (rename) {
        thread.setName(own);
      }
      synchronized (lock) {
        busy.remove(thread);
        var unused = Thread.interrupted(); // an interrupt aimed at our task stays ours
        if (isTerminated()) {
          lock.notifyAll();
        }
      }
    }
  }

  /** After a runner gave up its place: takes it back if work came meanwhile and there is room. */
  private boolean mayGoOn() {
    while (state != STOP && !queue.isEmpty()) {
      int r = running.get();
      if (r >= width) {
        return false; // another runner will take it
      }
      if (running.compareAndSet(r, r + 1)) {
        return true;
      }
    }
    return false;
  }

  private void runTask(Runnable task) {
    try {
      task.run();
    } catch (Throwable e) { // never to an uncaught-exception handler
      if (failuresReported) {
        log.debug("{}: a task failed after reporting it", name, e);
      } else {
        log.error("{}: a task failed", name, e);
      }
    }
  }

  /** Whether {@code thread} is running this lane's tasks now. */
  boolean runsOn(Thread thread) {
    return busy.contains(thread);
  }

  /** Threads running this lane's tasks now. */
  int activeThreads() {
    return busy.size();
  }

  @Override
  public void shutdown() {
    synchronized (lock) {
      if (state == RUNNING) {
        state = SHUTDOWN;
      }
      signalIfTerminated();
    }
  }

  @Override
  public List<Runnable> shutdownNow() {
    List<Runnable> dropped = new ArrayList<>();
    synchronized (lock) {
      state = STOP;
      for (Runnable task = queue.poll(); task != null; task = queue.poll()) {
        dropped.add(task);
      }
      busy.forEach(Thread::interrupt);
      signalIfTerminated();
    }
    return dropped;
  }

  @Override
  public boolean isShutdown() {
    return state != RUNNING;
  }

  @Override
  public boolean isTerminated() {
    return state != RUNNING && busy.isEmpty() && running.get() == 0 && queue.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    synchronized (lock) {
      while (!isTerminated()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  private void signalIfTerminated() {
    synchronized (lock) {
      if (isTerminated()) {
        lock.notifyAll();
      }
    }
  }

  @Override
  public String toString() {
    return name + "[" + running.get() + "/" + width + " running, " + queue.size() + " queued]";
  }
}
