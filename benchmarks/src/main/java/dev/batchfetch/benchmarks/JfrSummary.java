package dev.batchfetch.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.jspecify.annotations.Nullable;

/**
 * Turns {@code .jfr} recordings (the JDK's Flight Recorder, or async-profiler's JFR output) into
 * text: where the CPU samples ({@code jdk.ExecutionSample}) and the sampled allocations fall, split
 * into batchfetch's own frames, OkHttp's (with Okio and Kotlin's library), Resilience4j's, the
 * benchmark's harness, and the rest (JDK, native, JVM, kernel).
 *
 * <pre>{@code
 * java -cp benchmarks/target/batchfetch-benchmarks.jar dev.batchfetch.benchmarks.JfrSummary \
 *     [--top 15] batchfetch=DIR/batchfetch-run1.jfr,DIR/batchfetch-run2.jfr raw=DIR/raw-run1.jfr
 * }</pre>
 *
 * <p>Each argument is a side: a name, then the recordings of its runs (a directory stands for the
 * {@code .jfr} files in it); counts are given per recording, that is per run. With a sampling
 * interval of 1 ms, samples per run are milliseconds of CPU per run (async-profiler), or of Java
 * code running (JFR). With two sides, a comparison of the first with the second follows.
 *
 * <p>Three views of a frame: <b>self</b>, the samples where it is the top frame; <b>own</b>, the
 * samples where it is the first frame from the top that belongs to a library (batchfetch, OkHttp,
 * Resilience4j, the harness, any other non-JDK code), so that the JDK, native and kernel work it
 * asked for counts as its own; <b>total</b>, the samples where it is anywhere on the stack. The
 * <b>owner</b> of a sample is the library of its own frame: JDK alone when only JDK code is on the
 * stack (an idle pool worker), JVM when there is no Java frame (GC, JIT compiler).
 */
public final class JfrSummary {
  private static final Pattern URL = Pattern.compile("https?://\\S+");
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");
  private static final Pattern LAMBDA =
      Pattern.compile("\\$\\$Lambda\\$?[0-9]*[./+]0x[0-9a-f]+(?:\\.[0-9]+)?");
  private static final Pattern SYSCALL = Pattern.compile("__(?:x64|do)_sys_(\\w+)");

  /** Where a frame's code comes from. */
  enum Kind {
    BATCHFETCH("batchfetch", true),
    RESILIENCE4J("Resilience4j", true),
    OKHTTP("OkHttp, Okio, Kotlin", true),
    HARNESS("benchmark harness", true),
    OTHER_LIBRARY("other libraries", true),
    JDK("JDK alone", false),
    NATIVE("native libraries", false),
    JVM("JVM (GC, JIT, VM threads)", false),
    KERNEL("kernel", false);

    final String label;
    final boolean library;

    Kind(String label, boolean library) {
      this.label = label;
      this.library = library;
    }

    static Kind of(RecordedFrame frame) {
      String type = frame.getType();
      String cls = frame.getMethod().getType().getName();
      if (type.equals("Kernel")) {
        return KERNEL;
      }
      if (type.equals("C++")) {
        return JVM;
      }
      if (cls.startsWith("dev.batchfetch.benchmarks.")) {
        return HARNESS;
      }
      if (cls.startsWith("dev.batchfetch.")) {
        return BATCHFETCH;
      }
      if (cls.startsWith("io.github.resilience4j.")) {
        return RESILIENCE4J;
      }
      if (cls.startsWith("okhttp3.") || cls.startsWith("okio.") || cls.startsWith("kotlin.")) {
        return OKHTTP;
      }
      if (Stream.of("java.", "javax.", "jdk.", "sun.", "com.sun.").anyMatch(cls::startsWith)) {
        return JDK;
      }
      if (cls.isEmpty() || cls.contains(".so") || !cls.contains(".")) {
        return NATIVE; // async-profiler names a native frame's library as its class
      }
      return OTHER_LIBRARY;
    }
  }

  /** The counts of one side: CPU samples and allocated bytes, by owner, thread and frame. */
  static final class Side {
    final String name;
    final int recordings;
    long samples;
    final Map<Kind, Long> owners = new EnumMap<>(Kind.class);
    final Map<Kind, Long> topKinds = new EnumMap<>(Kind.class);
    final Map<String, Long> threads = new HashMap<>();
    final Map<String, Long> syscalls = new HashMap<>();
    final Map<String, Long> self = new HashMap<>();
    final Map<String, Long> own = new HashMap<>();
    final Map<String, Long> total = new HashMap<>();
    final Map<String, Kind> kinds = new HashMap<>();
    long allocated;
    final Map<Kind, Long> allocationOwners = new EnumMap<>(Kind.class);
    final Map<String, Long> allocationSites = new HashMap<>();
    final Map<String, Long> allocatedClasses = new HashMap<>();

    Side(String name, int recordings) {
      this.name = name;
      this.recordings = recordings;
    }

    double perRun(long count) {
      return (double) count / recordings;
    }

    void sample(RecordedEvent event) {
      RecordedStackTrace stack = event.getStackTrace();
      if (stack == null) {
        return;
      }
      samples++;
      List<RecordedFrame> frames = stack.getFrames();
      threads.merge(threadGroup(event.getThread("sampledThread")), 1L, Long::sum);
      Set<String> seen = new HashSet<>();
      String ownFrame = null;
      Kind owner = null;
      boolean javaSeen = false;
      for (int i = 0; i < frames.size(); i++) {
        RecordedFrame frame = frames.get(i);
        Kind kind = Kind.of(frame);
        String key = key(frame, kind);
        kinds.putIfAbsent(key, kind);
        if (i == 0) {
          self.merge(key, 1L, Long::sum);
          topKinds.merge(kind, 1L, Long::sum);
        }
        if (seen.add(key)) {
          total.merge(key, 1L, Long::sum);
        }
        javaSeen |= kind == Kind.JDK || kind.library;
        if (owner == null && kind.library) {
          owner = kind;
          ownFrame = key;
        }
      }
      if (owner == null) {
        owner = javaSeen ? Kind.JDK : Kind.JVM;
      }
      if (Kind.of(frames.get(0)) == Kind.KERNEL) {
        syscalls.merge(syscall(frames), 1L, Long::sum);
      }
      owners.merge(owner, 1L, Long::sum);
      if (ownFrame != null) {
        own.merge(ownFrame, 1L, Long::sum);
      }
    }

    void allocation(RecordedEvent event, long bytes) {
      RecordedStackTrace stack = event.getStackTrace();
      allocated += bytes;
      RecordedClass cls = event.hasField("objectClass") ? event.getClass("objectClass") : null;
      allocatedClasses.merge(cls == null ? "?" : cls.getName(), bytes, Long::sum);
      Kind owner = Kind.JDK;
      String site = "(no Java frame of a library)";
      if (stack != null) {
        for (RecordedFrame frame : stack.getFrames()) {
          Kind kind = Kind.of(frame);
          if (kind.library) {
            owner = kind;
            site = key(frame, kind);
            kinds.putIfAbsent(site, kind);
            break;
          }
        }
      }
      allocationOwners.merge(owner, bytes, Long::sum);
      allocationSites.merge(site, bytes, Long::sum);
    }
  }

  private JfrSummary() {}

  public static void main(String[] argv) throws IOException {
    int top = 15;
    Map<String, List<Path>> sides = new LinkedHashMap<>();
    for (int i = 0; i < argv.length; i++) {
      if (argv[i].equals("--top") && i + 1 < argv.length) {
        top = Integer.parseInt(argv[++i]);
        continue;
      }
      int eq = argv[i].indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected NAME=FILE[,FILE...], not " + argv[i]);
      }
      List<Path> files = new ArrayList<>();
      for (String f : argv[i].substring(eq + 1).split(",", -1)) {
        files.addAll(expand(Path.of(f)));
      }
      sides.put(argv[i].substring(0, eq), files);
    }
    if (sides.isEmpty()) {
      throw new IllegalArgumentException("usage: JfrSummary [--top N] NAME=FILE[,FILE...] ...");
    }
    System.out.print(compare(sides, "as recorded", top));
  }

  private static List<Path> expand(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (Stream<Path> files = Files.list(path)) {
      return files.filter(p -> p.toString().endsWith(".jfr")).sorted().toList();
    }
  }

  /** The summary of each side, then the first compared with the second. */
  static String compare(Map<String, List<Path>> sides, String how) throws IOException {
    return compare(sides, how, 15);
  }

  static String compare(Map<String, List<Path>> sides, String how, int top) throws IOException {
    List<Side> read = new ArrayList<>();
    for (Map.Entry<String, List<Path>> e : sides.entrySet()) {
      read.add(read(e.getKey(), e.getValue()));
    }
    StringBuilder out = new StringBuilder();
    out.append("Profile: ").append(how).append('\n');
    out.append(
        "Counts are per recording (one recording = one measured run). self = top frame; own ="
            + " first library frame from the top (JDK, native and kernel work below it counts as"
            + " its own); total = anywhere on the stack.\n\n");
    for (Side side : read) {
      describe(out, side, top);
    }
    if (read.size() >= 2) {
      contrast(out, read.get(0), read.get(1), top);
    }
    return out.toString();
  }

  static Side read(String name, List<Path> files) throws IOException {
    Side side = new Side(name, files.size());
    for (Path file : files) {
      try (RecordingFile recording = new RecordingFile(file)) {
        while (recording.hasMoreEvents()) {
          RecordedEvent event = recording.readEvent();
          String type = event.getEventType().getName();
          switch (type) {
            case "jdk.ExecutionSample" -> side.sample(event);
            case "jdk.ObjectAllocationSample" -> side.allocation(event, event.getLong("weight"));
            case "jdk.ObjectAllocationInNewTLAB" ->
                side.allocation(event, event.getLong("tlabSize"));
            case "jdk.ObjectAllocationOutsideTLAB" ->
                side.allocation(event, event.getLong("allocationSize"));
            default -> {
              // other events are not summed up
            }
          }
        }
      }
    }
    return side;
  }

  /** The system call a sample in the kernel is in, or what else brought the thread there. */
  private static String syscall(List<RecordedFrame> frames) {
    for (RecordedFrame frame : frames) {
      if (Kind.of(frame) != Kind.KERNEL) {
        break;
      }
      var m = SYSCALL.matcher(frame.getMethod().getName());
      if (m.matches()) {
        return m.group(1);
      }
    }
    return "(no system call: interrupt, page fault, scheduling)";
  }

  private static String key(RecordedFrame frame, Kind kind) {
    String cls = withoutAddress(frame.getMethod().getType().getName());
    String method = frame.getMethod().getName();
    return switch (kind) {
      case KERNEL -> "[kernel] " + method;
      case JVM -> "[jvm] " + method;
      case NATIVE -> "[" + (cls.isEmpty() ? "native" : cls) + "] " + method;
      default -> cls + "." + method;
    };
  }

  /** A thread's name with URLs and numbers folded, so that a pool's threads count together. */
  static String threadGroup(@Nullable RecordedThread thread) {
    if (thread == null) {
      return "?";
    }
    String name = thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName();
    return name == null ? "?" : fold(name);
  }

  /** {@code OkHttp http://127.0.0.1:8080/id/7} and {@code pool-2-thread-13} as their kinds. */
  static String fold(String threadName) {
    return DIGITS.matcher(URL.matcher(threadName).replaceAll("<url>")).replaceAll("N");
  }

  /** A class name without the address of a lambda's hidden class, which differs run to run. */
  static String withoutAddress(String className) {
    return LAMBDA.matcher(className).replaceAll("\\$\\$Lambda");
  }

  private static void describe(StringBuilder out, Side side, int top) {
    out.append(
        String.format(
            Locale.ROOT,
            "=== %s: %d recordings, %,d CPU samples, %,.0f per run%n%n",
            side.name,
            side.recordings,
            side.samples,
            side.perRun(side.samples)));
    if (side.samples == 0) {
      return;
    }
    table(out, "owner (whose code asked for the work)", side, side.owners, side.samples, 20);
    table(out, "top frame's kind (self time)", side, side.topKinds, side.samples, 20);
    table(out, "thread", side, side.threads, side.samples, top);
    frames(out, "top frames by self time, all kinds", side, side.self, null, top);
    for (Kind kind : List.of(Kind.BATCHFETCH, Kind.RESILIENCE4J, Kind.OKHTTP)) {
      if (side.owners.getOrDefault(kind, 0L) == 0) {
        continue;
      }
      frames(out, kind.label + " frames by own time", side, side.own, kind, top);
      frames(out, kind.label + " frames by total time", side, side.total, kind, top);
    }
    frames(out, "JDK frames by self time", side, side.self, Kind.JDK, top);
    if (!side.syscalls.isEmpty()) {
      table(out, "system call (samples in the kernel)", side, side.syscalls, side.samples, top);
    }
    for (Kind kind : List.of(Kind.NATIVE, Kind.JVM, Kind.KERNEL)) {
      if (side.topKinds.getOrDefault(kind, 0L) > 0) {
        frames(out, kind.label + " frames by self time", side, side.self, kind, 10);
      }
    }
    if (side.allocated > 0) {
      out.append(
          String.format(
              Locale.ROOT,
              "-- allocation: %,.1f MiB sampled per run (an estimate; the timings give the"
                  + " JVM's exact count)%n",
              side.perRun(side.allocated) / 1048576.0));
      bytes(out, "allocation owner", side, byLabel(side.allocationOwners), 20);
      bytes(out, "allocation sites (own frame)", side, side.allocationSites, top);
      bytes(out, "allocated classes", side, side.allocatedClasses, top);
    }
  }

  private static <K> void table(
      StringBuilder out, String title, Side side, Map<K, Long> counts, long of, int limit) {
    list(out, "by " + title + " (share, samples per run)", side, counts, k -> true, of, 1, limit);
  }

  private static void frames(
      StringBuilder out,
      String title,
      Side side,
      Map<String, Long> counts,
      @Nullable Kind kind,
      int limit) {
    list(
        out,
        title + " (share of all samples, samples per run)",
        side,
        counts,
        key -> kind == null || side.kinds.get(key) == kind,
        side.samples,
        1,
        limit);
  }

  private static void bytes(
      StringBuilder out, String title, Side side, Map<String, Long> counts, int limit) {
    list(
        out,
        title + " (share of sampled bytes, KiB per run)",
        side,
        counts,
        k -> true,
        side.allocated,
        1024,
        limit);
  }

  /** The largest {@code limit} counts that {@code keep} accepts: share of {@code of}, per run. */
  private static <K> void list(
      StringBuilder out,
      String title,
      Side side,
      Map<K, Long> counts,
      java.util.function.Predicate<K> keep,
      long of,
      double unit,
      int limit) {
    out.append("-- ").append(title).append('\n');
    sorted(counts).stream()
        .filter(e -> keep.test(e.getKey()))
        .limit(limit)
        .forEach(
            e ->
                out.append(
                    String.format(
                        Locale.ROOT,
                        "  %6.2f%%  %,11.1f  %s%n",
                        100.0 * e.getValue() / Math.max(1, of),
                        side.perRun(e.getValue()) / unit,
                        e.getKey() instanceof Kind k ? k.label : e.getKey())));
    out.append('\n');
  }

  private static <K> List<Map.Entry<K, Long>> sorted(Map<K, Long> counts) {
    return counts.entrySet().stream()
        .sorted(Map.Entry.<K, Long>comparingByValue(Comparator.reverseOrder()))
        .toList();
  }

  /** Side {@code a} against side {@code b}, per run: owners, threads, frames that differ most. */
  private static void contrast(StringBuilder out, Side a, Side b, int top) {
    out.append(
        String.format(
            Locale.ROOT,
            "=== %s compared with %s, per run (samples; %s - %s)%n%n",
            a.name,
            b.name,
            a.name,
            b.name));
    out.append(
        String.format(
            Locale.ROOT,
            "  all samples: %,.1f vs %,.1f, difference %+,.1f (%.3fx)%n%n",
            a.perRun(a.samples),
            b.perRun(b.samples),
            a.perRun(a.samples) - b.perRun(b.samples),
            a.perRun(a.samples) / Math.max(1e-9, b.perRun(b.samples))));
    difference(out, "by owner", a, b, byLabel(a.owners), byLabel(b.owners), 20);
    difference(out, "by thread", a, b, a.threads, b.threads, top);
    difference(out, "by system call", a, b, a.syscalls, b.syscalls, top);
    difference(out, "frames by total time", a, b, a.total, b.total, top + 10);
    difference(out, "frames by self time", a, b, a.self, b.self, top + 10);
    if (a.allocated > 0 && b.allocated > 0) {
      out.append(
          String.format(
              Locale.ROOT,
              "  sampled allocation: %,.1f vs %,.1f MiB per run%n%n",
              a.perRun(a.allocated) / 1048576.0,
              b.perRun(b.allocated) / 1048576.0));
    }
  }

  private static Map<String, Long> byLabel(Map<Kind, Long> counts) {
    Map<String, Long> labels = new LinkedHashMap<>();
    counts.forEach((k, v) -> labels.put(k.label, v));
    return labels;
  }

  private static void difference(
      StringBuilder out,
      String title,
      Side a,
      Side b,
      Map<String, Long> ofA,
      Map<String, Long> ofB,
      int limit) {
    out.append("-- ")
        .append(title)
        .append(", largest differences (")
        .append(a.name)
        .append(", ")
        .append(b.name)
        .append(", difference, share of ")
        .append(a.name)
        .append("'s samples)\n");
    Set<String> keys = new HashSet<>(ofA.keySet());
    keys.addAll(ofB.keySet());
    keys.stream()
        .map(
            k ->
                Map.entry(k, a.perRun(ofA.getOrDefault(k, 0L)) - b.perRun(ofB.getOrDefault(k, 0L))))
        .sorted(
            Comparator.comparingDouble((Map.Entry<String, Double> e) -> -Math.abs(e.getValue())))
        .limit(limit)
        .forEach(
            e ->
                out.append(
                    String.format(
                        Locale.ROOT,
                        "  %,9.1f %,9.1f %+,9.1f %6.2f%%  %s%n",
                        a.perRun(ofA.getOrDefault(e.getKey(), 0L)),
                        b.perRun(ofB.getOrDefault(e.getKey(), 0L)),
                        e.getValue(),
                        100.0 * ofA.getOrDefault(e.getKey(), 0L) / Math.max(1, a.samples),
                        e.getKey())));
    out.append('\n');
  }
}
