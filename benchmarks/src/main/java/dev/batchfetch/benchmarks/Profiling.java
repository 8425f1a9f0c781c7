package dev.batchfetch.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import jdk.jfr.Recording;
import one.profiler.AsyncProfiler;
import org.jspecify.annotations.Nullable;

/**
 * Records a profile of one timed run into a {@code .jfr} file, so that {@link JfrSummary} reads
 * either kind alike. Not thread-safe: one recording at a time, started and stopped by the thread
 * that times the runs.
 *
 * <ul>
 *   <li>{@code jfr}: the JDK's Flight Recorder, started from inside the JVM: Java frames only, and
 *       only of threads running Java code ({@code jdk.ExecutionSample}), plus sampled allocations
 *       ({@code jdk.ObjectAllocationSample}). Time in system calls, in the JVM (GC, JIT) and in the
 *       kernel does not show.
 *   <li>{@code async}: async-profiler (from Maven Central, its library extracted from the jar), CPU
 *       samples of every thread with native, JVM and kernel frames, and allocation samples. It
 *       needs perf events (root, or {@code kernel.perf_event_paranoid} of 1 or less); it writes the
 *       same {@code jdk.ExecutionSample} events.
 * </ul>
 */
abstract class Profiling {
  /** How often a running thread is sampled. */
  static final Duration INTERVAL = Duration.ofMillis(1);

  /** Allocation samples: one each time a thread has allocated about this many bytes (async). */
  private static final long ALLOCATION_INTERVAL_BYTES = 512 * 1024;

  /** Starts recording into {@code file}. */
  abstract void start(Path file) throws IOException;

  /** Stops recording and writes the file given to {@link #start}. */
  abstract void stop() throws IOException;

  /** What the report says about how the profile was taken. */
  abstract String describe();

  /**
   * The profiler called {@code mode}: {@code jfr} or {@code async}.
   *
   * @throws IllegalArgumentException for any other mode
   * @throws IllegalStateException if async-profiler cannot be loaded on this machine
   */
  static Profiling of(String mode) {
    return switch (mode) {
      case "jfr" -> new Jfr();
      case "async" -> new Async();
      default -> throw new IllegalArgumentException("--profile must be jfr or async, not " + mode);
    };
  }

  /** The JDK's Flight Recorder, one recording per run. */
  private static final class Jfr extends Profiling {
    private @Nullable Recording recording;

    @Override
    void start(Path file) throws IOException {
      Recording r = new Recording();
      r.setName("batchfetch-overhead");
      r.enable("jdk.ExecutionSample").withPeriod(INTERVAL).withStackTrace();
      r.enable("jdk.ObjectAllocationSample").with("throttle", "1000/s").withStackTrace();
      r.setToDisk(true);
      r.setDestination(file);
      r.start();
      recording = r;
    }

    @Override
    void stop() {
      Recording r = recording;
      if (r != null) {
        r.stop(); // writes the destination
        r.close();
        recording = null;
      }
    }

    @Override
    String describe() {
      return String.format(
          Locale.ROOT,
          "JFR: jdk.ExecutionSample every %d ms (Java frames of threads in Java code only),"
              + " jdk.ObjectAllocationSample at 1000/s",
          INTERVAL.toMillis());
    }
  }

  /** async-profiler's CPU and allocation sampling, written as JFR. */
  private static final class Async extends Profiling {
    private final AsyncProfiler profiler;

    Async() {
      try {
        profiler = AsyncProfiler.getInstance();
      } catch (RuntimeException | UnsatisfiedLinkError e) {
        throw new IllegalStateException("async-profiler does not load here: " + e, e);
      }
    }

    @Override
    void start(Path file) throws IOException {
      profiler.execute(
          String.format(
              Locale.ROOT,
              "start,event=cpu,interval=%d,alloc=%d,jfr,file=%s",
              INTERVAL.toNanos(),
              ALLOCATION_INTERVAL_BYTES,
              file.toAbsolutePath()));
    }

    @Override
    void stop() throws IOException {
      profiler.execute("stop");
    }

    @Override
    String describe() {
      return String.format(
          Locale.ROOT,
          "async-profiler %s: CPU samples (perf events) every %d ms of CPU time, every thread,"
              + " Java, native, JVM and kernel frames; allocation samples every %d KiB",
          profiler.getVersion(),
          INTERVAL.toMillis(),
          ALLOCATION_INTERVAL_BYTES / 1024);
    }
  }
}
