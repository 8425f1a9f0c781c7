package dev.batchfetch.internal.admission;

import dev.batchfetch.internal.time.Scheduler;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission loop's one thread at a time: a mailbox of tasks and a step run after them, drained
 * by whichever thread posts while no other is draining, the usual work-in-progress counter of
 * reactive libraries. Everything a task or the step touches is confined to the loop; other threads
 * talk to it only through {@link #post} and {@link #later}. Thread-safe.
 */
final class Loop {
  private static final Logger log = LoggerFactory.getLogger(Loop.class);

  private final Queue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();
  private final Scheduler scheduler;
  private final Runnable step;

  /**
   * @param step run after the tasks of each pass: takes inputs and starts what may start
   */
  Loop(Scheduler scheduler, Runnable step) {
    this.scheduler = scheduler;
    this.step = step;
  }

  /** Runs {@code task} on the loop. Safe from any thread; never blocks. */
  void post(Runnable task) {
    mailbox.add(task);
    drain();
  }

  /** Runs a pass on the scheduler's thread, not the caller's; on the caller's if it is shut. */
  void wake() {
    if (!scheduler.runSoon(this::drain)) {
      drain();
    }
  }

  /** Runs {@code task} on the loop after {@code nanos}; dropped if the scheduler is shut. */
  void later(long nanos, Runnable task) {
    var unused = scheduler.schedule(nanos, () -> post(task));
  }

  /** Runs the tasks posted, then the step, until nothing more was posted meanwhile. */
  void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      try {
        for (Runnable task = mailbox.poll(); task != null; task = mailbox.poll()) {
          task.run();
        }
        step.run();
      } catch (Throwable e) { // a bug: the loop must run again on the next event, whatever it was
        log.error("batchfetch: admission loop failed; it runs again on the next event", e);
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }
}
