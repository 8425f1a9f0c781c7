package dev.batchfetch.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads named {@code <fetcher>-<role>-<n>}, so that a fetcher's threads can be told apart
 * in a thread dump, and counted by tests. Daemon, because a fetcher the user forgot to close must
 * not keep the JVM alive.
 */
final class NamedThreadFactory implements ThreadFactory {
  private final String prefix;
  private final AtomicInteger count = new AtomicInteger();

  NamedThreadFactory(String fetcherName, String role) {
    this.prefix = fetcherName + "-" + role + "-";
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread thread = new Thread(task, prefix + count.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  }
}
