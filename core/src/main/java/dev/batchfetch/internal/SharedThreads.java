package dev.batchfetch.internal;

import dev.batchfetch.internal.time.ThreadScheduler;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads every fetcher of this JVM runs on: one pool that grows with the work running at the
 * time and ends each thread after {@link #KEEP_ALIVE} idle, one timer thread, and one cleaner
 * thread for fetchers nobody closed. A fetcher owns none of them: it runs its work in {@link Lane}s
 * over the pool, bounded to its own widths, so a fetcher that is idle holds no thread, and a
 * thousand fetchers used one after another take the threads of one. Each is made on first use.
 *
 * <p>Their threads are daemons named {@code batchfetch-shared-*}; while one runs a fetcher's work
 * it bears that fetcher's name instead ({@code batchfetch-N-okhttp} and the like).
 */
final class SharedThreads {
  /** How long a shared thread waits for work before it ends. */
  static final Duration KEEP_ALIVE = Duration.ofSeconds(5);

  /** The prefix of every shared thread's own name. */
  static final String PREFIX = "batchfetch-shared-";

  private SharedThreads() {}

  /** The pool every lane of every fetcher runs on. */
  static ExecutorService pool() {
    return Pool.POOL;
  }

  /** The one thread that fires timers; what a timer runs goes to a fetcher's lane. */
  static ScheduledExecutorService timer() {
    return Timer.TIMER;
  }

  /** Cleans up fetchers that became unreachable without being closed. */
  static Cleaner cleaner() {
    return Cleaning.CLEANER;
  }

  private static final class Pool {
    static final ThreadPoolExecutor POOL =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            KEEP_ALIVE.toNanos(),
            TimeUnit.NANOSECONDS,
            new SynchronousQueue<>(),
            daemons(PREFIX));
  }

  private static final class Timer {
    static final ScheduledThreadPoolExecutor TIMER =
        ThreadScheduler.timer(daemons(PREFIX + "timer-"), KEEP_ALIVE);
  }

  private static final class Cleaning {
    static final Cleaner CLEANER = Cleaner.create(daemons(PREFIX + "cleaner-"));
  }

  private static ThreadFactory daemons(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
