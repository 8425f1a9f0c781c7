package dev.batchfetch.internal;

import dev.batchfetch.internal.time.ThreadScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads of one fetcher, made by the one recipe here: daemon threads named {@code
 * <fetcher>-<role>-<n>}, ending when idle for {@link #IDLE_TIMEOUT}, so that a fetcher never keeps
 * the JVM alive and an idle one holds none. Closing stops them all and waits until they have really
 * ended. Thread-safe.
 */
final class Threads {
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

  private final String fetcher;
  private final List<NamedThreadFactory> factories = new ArrayList<>();
  private final List<ExecutorService> pools = new ArrayList<>();
  private final List<ThreadScheduler> schedulers = new ArrayList<>();

  Threads(String fetcher) {
    this.fetcher = fetcher;
  }

  /**
   * A pool of at most {@code threads} threads, one more per task until full, then a queue: what
   * runs calls (the dispatcher's or the policy's) and asks users' limiters.
   */
  synchronized ExecutorService fixed(String role, int threads) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            IDLE_TIMEOUT.toNanos(),
            TimeUnit.NANOSECONDS,
            new LinkedBlockingQueue<>(),
            factory(role));
    pool.allowCoreThreadTimeOut(true);
    pools.add(pool);
    return pool;
  }

  /** A pool of a thread per task running at the time, none when idle. */
  synchronized ExecutorService cached(String role) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            IDLE_TIMEOUT.toNanos(),
            TimeUnit.NANOSECONDS,
            new SynchronousQueue<>(),
            factory(role));
    pools.add(pool);
    return pool;
  }

  /** The scheduling thread: the admission loop's timers, deadlines and progress reports. */
  synchronized ThreadScheduler scheduler() {
    ThreadScheduler scheduler = new ThreadScheduler(factory("scheduler"), IDLE_TIMEOUT.toNanos());
    schedulers.add(scheduler);
    return scheduler;
  }

  /** Whether {@code thread} is one of this fetcher's. */
  synchronized boolean isOwn(Thread thread) {
    return factories.stream().anyMatch(f -> f.made(thread));
  }

  /**
   * Stops every pool: the schedulers and {@code interrupting} pools at once, the others once their
   * queued tasks ran (a call's last report, a streamed batch's last deliveries).
   */
  synchronized void shutdown(List<ExecutorService> interrupting) {
    schedulers.forEach(ThreadScheduler::shutdownNow);
    for (ExecutorService pool : pools) {
      if (interrupting.contains(pool)) {
        pool.shutdownNow();
      } else {
        pool.shutdown();
      }
    }
  }

  /** Waits until every thread has ended, or the deadline (system nanos) passed. */
  boolean awaitTermination(long deadlineNanos) {
    List<ExecutorService> allPools;
    List<ThreadScheduler> allSchedulers;
    List<NamedThreadFactory> allFactories;
    synchronized (this) {
      allPools = List.copyOf(pools);
      allSchedulers = List.copyOf(schedulers);
      allFactories = List.copyOf(factories);
    }
    try {
      for (ThreadScheduler scheduler : allSchedulers) {
        if (!scheduler.awaitTermination(deadlineNanos)) {
          return false;
        }
      }
      for (ExecutorService pool : allPools) {
        if (!pool.awaitTermination(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
          return false;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return allFactories.stream().allMatch(threads -> threads.join(deadlineNanos));
  }

  private NamedThreadFactory factory(String role) {
    NamedThreadFactory factory = new NamedThreadFactory(fetcher, role);
    factories.add(factory);
    return factory;
  }
}
