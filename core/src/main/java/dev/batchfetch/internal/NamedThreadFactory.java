package dev.batchfetch.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads named {@code <fetcher>-<role>-<n>}, so that a fetcher's threads can be told apart
 * in a thread dump, and counted by tests. Daemon, because a fetcher the user forgot to close must
 * not keep the JVM alive. It remembers its live threads, so that closing can wait until they have
 * really ended: an executor reports termination a moment before its last thread exits.
 */
final class NamedThreadFactory implements ThreadFactory {
  private final String prefix;
  private final AtomicInteger count = new AtomicInteger();
  private final Queue<Thread> threads = new ConcurrentLinkedQueue<>();

  NamedThreadFactory(String fetcherName, String role) {
    this.prefix = fetcherName + "-" + role + "-";
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread thread = new Thread(task, prefix + count.incrementAndGet());
    thread.setDaemon(true);
    threads.removeIf(t -> !t.isAlive() && t.getState() == Thread.State.TERMINATED);
    threads.add(thread);
    return thread;
  }

  /** Whether {@code thread} was made here. */
  boolean made(Thread thread) {
    return threads.contains(thread);
  }

  /** Waits until every thread made here has ended, or the deadline passed; true if they all did. */
  boolean join(long deadlineNanos) {
    for (Thread thread : threads) {
      long left = deadlineNanos - System.nanoTime();
      try {
        if (left > 0) {
          TimeUnit.NANOSECONDS.timedJoin(thread, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (thread.isAlive()) {
        return false;
      }
    }
    return true;
  }
}
