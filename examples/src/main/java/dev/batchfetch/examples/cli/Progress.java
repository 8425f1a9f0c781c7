package dev.batchfetch.examples.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Shows how far a batch has come on standard error: on a terminal, a bar redrawn in place ten times
 * a second; otherwise, a plain line every five seconds, which suits a log. Thread-safe; {@link
 * #close()} stops it and, for the bar, draws it a last time and ends its line.
 */
final class Progress implements AutoCloseable {
  /** How progress is shown. */
  enum Mode {
    /** A bar redrawn in place with a carriage return, for a terminal. */
    BAR,
    /** A line now and then, for a log or a pipe. */
    LINES,
    /** Nothing. */
    OFF
  }

  /**
   * What is known of the batch at one moment.
   *
   * @param done inputs finished
   * @param failing inputs finished that are not a success
   * @param learned the rates quota discovery learned, calls per second by host, slowest first
   */
  record Counts(int done, int failing, Map<String, Double> learned) {
    Counts(int done, int failing) {
      this(done, failing, Map.of());
    }
  }

  private static final Duration BAR_EVERY = Duration.ofMillis(100);
  private static final Duration LINE_EVERY = Duration.ofSeconds(5);
  private static final int BAR_WIDTH = 24;

  private final Mode mode;
  private final int total;
  private final Supplier<Counts> counts;
  private final PrintWriter err;
  private final long startNanos = System.nanoTime();
  private final @Nullable ScheduledExecutorService timer;
  private int drawnLength;

  private Progress(Mode mode, int total, Supplier<Counts> counts, PrintWriter err) {
    this.mode = mode;
    this.total = total;
    this.counts = counts;
    this.err = err;
    if (mode == Mode.OFF) {
      this.timer = null;
      return;
    }
    ScheduledExecutorService t =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "batchfetch-cli-progress");
              thread.setDaemon(true);
              return thread;
            });
    long every = (mode == Mode.BAR ? BAR_EVERY : LINE_EVERY).toMillis();
    var unused = t.scheduleAtFixedRate(this::draw, every, every, TimeUnit.MILLISECONDS);
    this.timer = t;
  }

  /** Starts showing the progress of {@code total} inputs, as {@code counts} tells it. */
  static Progress start(Mode mode, int total, Supplier<Counts> counts, PrintWriter err) {
    return new Progress(mode, total, counts, err);
  }

  @Override
  public void close() {
    if (timer == null) {
      return;
    }
    timer.shutdownNow();
    try {
      timer.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (mode == Mode.BAR) {
      draw();
      synchronized (this) {
        err.println();
        err.flush();
      }
    }
  }

  private synchronized void draw() {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
    Counts now = counts.get();
    if (mode == Mode.BAR) {
      String bar = bar(now, total, elapsed);
      int length = bar.length();
      err.print("\r" + bar + " ".repeat(Math.max(0, drawnLength - length)));
      drawnLength = length;
    } else {
      err.println(line(now, total, elapsed));
    }
    err.flush();
  }

  /**
   * The bar and its figures: {@code [===> ] 1,234/2,500 49% 411/s ETA 0:04 12 failing}, and the
   * rate discovery learned once a host is paced: {@code learned 9.7/s}.
   */
  static String bar(Counts counts, int total, Duration elapsed) {
    int filled = total == 0 ? BAR_WIDTH : (int) ((long) counts.done() * BAR_WIDTH / total);
    String bar =
        filled >= BAR_WIDTH
            ? "=".repeat(BAR_WIDTH)
            : "=".repeat(filled) + ">" + " ".repeat(BAR_WIDTH - filled - 1);
    return "[" + bar + "] " + figures(counts, total, elapsed);
  }

  /** A line for a log: {@code batchfetch-cli: 1,234/2,500 49% 411/s ETA 0:04 12 failing}. */
  static String line(Counts counts, int total, Duration elapsed) {
    return "batchfetch-cli: " + figures(counts, total, elapsed);
  }

  private static String figures(Counts counts, int total, Duration elapsed) {
    String figures =
        String.format(
            Locale.ROOT,
            "%,d/%,d %3d%%  %s  ETA %s  %,d failing",
            counts.done(),
            total,
            percent(counts, total),
            rate(counts, elapsed),
            eta(counts, total, elapsed),
            counts.failing());
    return counts.learned().isEmpty() ? figures : figures + "  " + learned(counts.learned());
  }

  /**
   * What quota discovery learned: {@code learned 9.7/s} for one host, {@code learned 3 hosts,
   * slowest 2.1/s (api.example.com:443)} for several.
   */
  static String learned(Map<String, Double> rates) {
    Map.Entry<String, Double> slowest = rates.entrySet().iterator().next();
    if (rates.size() == 1) {
      return "learned " + perSecond(slowest.getValue());
    }
    return String.format(
        Locale.ROOT,
        "learned %d hosts, slowest %s (%s)",
        rates.size(),
        perSecond(slowest.getValue()),
        slowest.getKey());
  }

  private static String perSecond(double rate) {
    return String.format(Locale.ROOT, rate < 10 ? "%.1f/s" : "%,.0f/s", rate);
  }

  private static int percent(Counts counts, int total) {
    return total == 0 ? 100 : (int) ((long) counts.done() * 100 / total);
  }

  /** Inputs finished per second so far: {@code 412/s}, or {@code 2.5/s} below ten. */
  static String rate(Counts counts, Duration elapsed) {
    double perSecond = perSecond(counts.done(), elapsed);
    return String.format(Locale.ROOT, perSecond < 10 ? "%.1f/s" : "%,.0f/s", perSecond);
  }

  /** {@code count} per second of {@code elapsed}; 0 when no time has passed. */
  static double perSecond(long count, Duration elapsed) {
    long nanos = elapsed.toNanos();
    return nanos <= 0 ? 0 : count * 1e9 / nanos;
  }

  /**
   * The time left at the rate so far, or at the rates quota discovery learned (their sum) where
   * that is slower: {@code m:ss} or {@code h:mm:ss}; {@code --:--} unknown.
   */
  static String eta(Counts counts, int total, Duration elapsed) {
    int left = Math.max(0, total - counts.done());
    if (left == 0) {
      return "0:00";
    }
    double perSecond = perSecond(counts.done(), elapsed);
    if (!counts.learned().isEmpty()) {
      double learned = counts.learned().values().stream().mapToDouble(Double::doubleValue).sum();
      perSecond = perSecond <= 0 ? learned : Math.min(perSecond, learned);
    }
    if (perSecond <= 0) {
      return "--:--";
    }
    return clock(Duration.ofSeconds((long) Math.ceil(left / perSecond)));
  }

  /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
  static String clock(Duration duration) {
    long seconds = duration.toSeconds();
    return seconds >= 3600
        ? String.format(
            Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }
}
