package dev.batchfetch.internal;

import dev.batchfetch.internal.time.ThreadScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The threads of one fetcher, made by the one recipe here: {@link Lane}s over the JVM's {@link
 * SharedThreads} (or over the user's executor), each bounded to its role's width, whose threads
 * bear the name {@code <fetcher>-<role>} while they run the fetcher's work. A fetcher therefore
 * owns no thread: an idle one holds none, and the shared threads it used end after a short
 * keep-alive or serve the next fetcher. Closing stops every lane and waits until none runs a task
 * any more; it never shuts down an executor it did not create. Thread-safe.
 */
final class Threads {
  private final String fetcher;
  private final List<Lane> lanes = new ArrayList<>();
  private final List<ThreadScheduler> schedulers = new ArrayList<>();

  Threads(String fetcher) {
    this.fetcher = fetcher;
  }

  /**
   * At most {@code width} tasks at once, the rest queued: what runs calls (the dispatcher's or the
   * policy's) and asks users' limiters.
   */
  ExecutorService fixed(String role, int width) {
    return lane(role, SharedThreads.pool(), width, true, false);
  }

  /** As {@link #fixed}, for OkHttp's dispatcher, which rethrows what it already reported. */
  ExecutorService dispatcher(int width) {
    return lane("okhttp", SharedThreads.pool(), width, true, true);
  }

  /** At most {@code width} tasks at once on the user's {@code executor}. */
  ExecutorService on(Executor executor, String role, int width) {
    return lane(role, executor, width, false, false);
  }

  /** A thread per task running at the time, none when idle. */
  ExecutorService cached(String role) {
    return lane(role, SharedThreads.pool(), Integer.MAX_VALUE, true, false);
  }

  /** Timers on the shared timer thread; their tasks run one at a time, on a lane of their own. */
  synchronized ThreadScheduler scheduler() {
    ThreadScheduler scheduler =
        new ThreadScheduler(
            SharedThreads.timer(), lane("scheduler", SharedThreads.pool(), 1, true, false));
    schedulers.add(scheduler);
    return scheduler;
  }

  private synchronized Lane lane(
      String role, Executor executor, int width, boolean rename, boolean reported) {
    Lane lane = new Lane(fetcher + "-" + role, executor, width, rename, reported);
    lanes.add(lane);
    return lane;
  }

  /** Whether {@code thread} is running work of this fetcher's now. */
  synchronized boolean isOwn(Thread thread) {
    return lanes.stream().anyMatch(lane -> lane.runsOn(thread));
  }

  /** Threads running work of this fetcher's now. */
  synchronized int active() {
    return lanes.stream().mapToInt(Lane::activeThreads).sum();
  }

  /**
   * Stops every lane: the {@code interrupting} lanes at once, the others once their queued tasks
   * ran (a call's last report, a streamed batch's last deliveries); the schedulers' timers are
   * cancelled, and their running task interrupted if {@code interruptSchedulers}.
   */
  synchronized void shutdown(List<ExecutorService> interrupting, boolean interruptSchedulers) {
    for (ThreadScheduler scheduler : schedulers) {
      if (interruptSchedulers) {
        scheduler.shutdownNow();
      } else {
        scheduler.shutdown();
      }
    }
    for (Lane lane : lanes) {
      if (interrupting.contains(lane)) {
        lane.shutdownNow();
      } else {
        lane.shutdown();
      }
    }
  }

  /** Whether every lane is shut down and runs nothing. */
  synchronized boolean isTerminated() {
    return lanes.stream().allMatch(Lane::isTerminated);
  }

  /** Waits until no lane runs a task, or the deadline (system nanos) passed. */
  boolean awaitTermination(long deadlineNanos) {
    List<Lane> all;
    synchronized (this) {
      all = List.copyOf(lanes);
    }
    try {
      for (Lane lane : all) {
        if (!lane.awaitTermination(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
          return false;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return true;
  }
}
