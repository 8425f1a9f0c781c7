package dev.batchfetch.benchmarks;

import dev.batchfetch.benchmarks.Plan.Workload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs the whole comparison and writes the report ({@code docs/benchmarks.md}) and its chart
 * ({@code docs/benchmarks.svg}). {@code benchmarks/run.sh} builds the jar and calls this.
 *
 * <pre>{@code
 * java -jar benchmarks/target/batchfetch-benchmarks.jar [--quick] [--concurrency 100]
 *     [--out docs/benchmarks.md] [--only W1,W3,OH,UQ] [--no-jmh]
 * }</pre>
 *
 * <p>{@code --only} takes workloads ({@code W1} to {@code W4}), {@code OH}, the comparison with raw
 * OkHttp in one JVM ({@link Overhead}), which {@code benchmarks/overhead.sh} runs alone, and {@code
 * UQ}, an unknown quota ({@link UnknownQuota}: quota discovery against fixed guesses, 60 s per
 * server, 20 s with {@code --quick}).
 *
 * <p>Servers run in this JVM (the suite's own {@link LoopbackServer}s) or as child processes
 * (nginx); every client runs in a fresh process: a JVM running {@link ClientMain}, Python, or wrk.
 * All traffic stays on 127.0.0.1, and every process is bounded in time.
 */
public final class Suite {
  private static final List<String> JVM_OPTIONS =
      List.of("-Xmx1g", "-XX:+UseG1GC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

  private final Plan plan;
  private final Environment env;
  private final Path jar;

  private Suite(Plan plan, Environment env, Path jar) {
    this.plan = plan;
    this.env = env;
    this.jar = jar;
  }

  /** A server the clients fetch from: its name in the report, its base URL, its 429 counter. */
  private record Target(String name, String base, LongSupplier tooMany) {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv, Set.of("quick", "no-jmh"));
    int concurrency = Integer.parseInt(args.get("concurrency", "100"));
    Plan plan = Plan.of(args.flag("quick"), concurrency);
    Path out = Path.of(args.get("out", "docs/benchmarks.md"));
    Set<String> only = Set.of(args.get("only", "W1,W2,W3,W4,OH,UQ").split(",", -1));
    Environment env = Environment.detect();
    Path jar = Path.of(Suite.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Instant started = Instant.now();
    String loadBefore = Environment.loadAverage();
    env.missing().forEach(note -> System.out.println("note: " + note));

    Suite suite = new Suite(plan, env, jar);
    List<String> notes = new ArrayList<>(env.missing());
    List<Row> rows = new ArrayList<>();
    @Nullable OverheadSummary overhead = null;
    Duration w3Delay = plan.workload("W3").delay();
    try (LoopbackServer fast =
            LoopbackServer.start(
                Duration.ZERO, new TokenBucket(Plan.QUOTA_RATE, Plan.QUOTA_BURST));
        LoopbackServer slow = LoopbackServer.start(w3Delay, null);
        Servers nginx = Servers.nginx(env.nginx(), notes)) {
      Target own = new Target("loopback", fast.base(), fast::tooManyCount);
      Target delayed = new Target("loopback", slow.base(), slow::tooManyCount);
      NginxServer n = nginx.server;
      Optional<Target> second =
          n == null
              ? Optional.empty()
              : Optional.of(new Target("nginx", n.base(), n::tooManyCount));
      for (Workload w : plan.workloads()) {
        if (!only.contains(w.id())) {
          continue;
        }
        List<Target> targets = new ArrayList<>();
        if (w.quota()) {
          targets.add(second.orElse(own));
        } else if (!w.delay().isZero()) {
          targets.add(delayed);
        } else {
          targets.add(own);
          second.ifPresent(targets::add);
        }
        for (Target target : targets) {
          for (Contender contender : w.contenders()) {
            Row row = suite.measure(w, target, contender);
            rows.add(row);
            System.out.println(progress(row));
          }
        }
      }
      if (only.contains("OH")) {
        overhead = suite.overhead(n, notes);
      }
    }
    String unknownQuota = null;
    if (only.contains("UQ")) {
      int seconds = plan.quick() ? 20 : 60;
      String before = Environment.loadAverage();
      List<UnknownQuota.Measured> uq = UnknownQuota.runAll(env.nginx(), seconds, true);
      Path svg = out.resolveSibling("benchmarks-uq.svg");
      Files.createDirectories(svg.toAbsolutePath().getParent());
      Files.writeString(svg, UnknownQuota.svg(uq, seconds), StandardCharsets.UTF_8);
      unknownQuota =
          UnknownQuota.markdown(
              uq,
              seconds,
              true,
              svg.getFileName().toString(),
              before + " / " + Environment.loadAverage());
    }
    List<Jmh.Score> jmh = List.of();
    if (!args.flag("no-jmh")) {
      System.out.println("JMH: admission path (" + Jmh.settings(plan.quick()) + ")");
      jmh = Jmh.run(plan.quick());
    }
    Report report =
        new Report(
            plan,
            env,
            notes,
            rows,
            overhead,
            jmh,
            started,
            Duration.between(started, Instant.now()),
            loadBefore,
            Environment.loadAverage(),
            String.join(" ", argv),
            unknownQuota);
    report.write(out, out.resolveSibling("benchmarks.svg"));
    System.out.println("wrote " + out + " and " + out.resolveSibling("benchmarks.svg"));
  }

  /** nginx when installed, closed with the others. */
  private static final class Servers implements AutoCloseable {
    final @Nullable NginxServer server;

    private Servers(@Nullable NginxServer server) {
      this.server = server;
    }

    /** nginx started, or null with the reason in {@code notes}: a run goes on without it. */
    static Servers nginx(Optional<Path> binary, List<String> notes) {
      if (binary.isEmpty()) {
        return new Servers(null);
      }
      try {
        return new Servers(NginxServer.start(binary.get(), Plan.QUOTA_RATE, Plan.QUOTA_BURST));
      } catch (IOException | IllegalStateException e) {
        String note =
            "nginx is installed but did not start, so it has no rows and W4 runs against the"
                + " suite's own token bucket: "
                + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        System.out.println("note: " + note);
        notes.add(note);
        return new Servers(null);
      }
    }

    @Override
    public void close() {
      if (server != null) {
        server.close();
      }
    }
  }

  private Row measure(Workload w, Target target, Contender contender) throws Exception {
    int c = plan.concurrency();
    String label = contender.label(c);
    long bound = plan.maxRunSeconds();
    if (!w.delay().isZero()) {
      double atLeast = w.count() * w.delay().toNanos() / 1e9 / contender.width(c);
      if (atLeast > bound) {
        return Row.skipped(
            w.id(),
            target.name(),
            contender,
            label,
            String.format(
                Locale.ROOT,
                "not run: a run takes at least %,.0f s (%,d URLs x %d ms / %d in flight), above"
                    + " the %d s bound",
                atLeast,
                w.count(),
                w.delay().toMillis(),
                contender.width(c),
                bound));
      }
    }
    return switch (contender.kind()) {
      case WRK ->
          env.wrk().isEmpty()
              ? Row.skipped(w.id(), target.name(), contender, label, "wrk is not installed")
              : new Wrk(env.wrk().get(), env.script("ids.lua"), c, plan.quick() ? 1 : 2, bound)
                  .measure(w.id(), target.name(), target.base(), w.count(), plan.runs(), label);
      case PYTHON ->
          env.python().isEmpty()
              ? Row.skipped(
                  w.id(), target.name(), contender, label, "no python3 with requests and aiohttp")
              : runChild(w, target, contender, label, pythonCommand(env.python().get()));
      case JVM -> runChild(w, target, contender, label, jvmCommand());
    };
  }

  private List<String> jvmCommand() {
    return jvmCommand(ClientMain.class);
  }

  private List<String> jvmCommand(Class<?> main) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    String executor = System.getProperty(JvmClients.EXECUTOR_PROPERTY);
    if (executor != null) { // the blocking policies on virtual threads: on to the clients
      command.add("-D" + JvmClients.EXECUTOR_PROPERTY + "=" + executor);
    }
    command.addAll(List.of("-cp", jar.toString(), main.getName()));
    return command;
  }

  /**
   * The {@link Overhead} comparison in a fresh JVM against the suite's nginx; null, with the reason
   * in {@code notes}, when there is no nginx or the comparison did not finish.
   */
  private @Nullable OverheadSummary overhead(@Nullable NginxServer nginx, List<String> notes)
      throws IOException, InterruptedException {
    if (nginx == null) {
      notes.add("OH (batchfetch vs raw OkHttp in one JVM): not run, it needs nginx.");
      return null;
    }
    List<String> command = jvmCommand(Overhead.class);
    command.addAll(
        List.of(
            "--url-prefix", nginx.base() + "/id/",
            "--count", Integer.toString(plan.overheadCount()),
            "--concurrency", Integer.toString(plan.concurrency()),
            "--warmups", Integer.toString(plan.overheadWarmups()),
            "--runs", Integer.toString(plan.runs())));
    System.out.println("OH: batchfetch async vs raw OkHttp enqueue, one JVM, alternating");
    String loadBefore = Environment.loadAverage();
    long silence = 2 * plan.maxRunSeconds() + 30;
    Child.Output output =
        Child.run(command, silence, 2L * (plan.overheadWarmups() + plan.runs()) * silence);
    List<Overhead.Measured> runs = output.of("run").stream().map(Overhead.Measured::of).toList();
    if (!output.ok() || runs.size() < 2 * plan.runs()) {
      String note =
          String.format(
              Locale.ROOT,
              "OH (batchfetch vs raw OkHttp in one JVM): %d of %d runs measured, exit code %d%s:"
                  + " %s",
              runs.size(),
              2 * plan.runs(),
              output.exitCode(),
              output.killed() ? " (killed)" : "",
              output.errorTail().strip());
      System.out.println("note: " + note);
      notes.add(note);
      return null;
    }
    OverheadSummary summary =
        new OverheadSummary(
            runs, plan.concurrency(), false, false, loadBefore, Environment.loadAverage());
    System.out.printf(
        Locale.ROOT, "OH nginx ratio of medians %.3f%n", summary.timeRatio().orElseThrow());
    return summary;
  }

  private List<String> pythonCommand(String python) {
    return new ArrayList<>(List.of(python, env.script("bench.py").toString()));
  }

  private Row runChild(
      Workload w, Target target, Contender contender, String label, List<String> command)
      throws IOException, InterruptedException {
    String path = w.quota() ? "/quota/id/" : "/id/";
    command.addAll(
        List.of(
            "--client", contender.id(),
            "--url-prefix", target.base() + path,
            "--count", Integer.toString(w.count()),
            "--warmup-prefix", target.base() + "/id/",
            "--warmup-count", Integer.toString(w.warmupCount()),
            "--warmups", Integer.toString(w.warmups()),
            "--runs", Integer.toString(plan.runs()),
            "--concurrency", Integer.toString(plan.concurrency()),
            "--max-run-seconds", Long.toString(plan.maxRunSeconds())));
    if (w.quota()) {
      long refill = 1000 + 1000 * (Plan.QUOTA_BURST + 1) / Plan.QUOTA_RATE;
      command.addAll(List.of("--pause-ms", Long.toString(refill)));
      if (contender.name().startsWith("BATCHFETCH")) {
        command.addAll(
            List.of(
                "--rate", Long.toString(Plan.QUOTA_RATE),
                "--burst", Long.toString(Plan.QUOTA_BURST)));
      }
    } else {
      command.add("--check-body");
    }
    long silence = 2 * plan.maxRunSeconds() + 30;
    long total = (w.warmups() + plan.runs() + 1) * silence;
    long tooManyBefore = target.tooMany().getAsLong();
    Child.Output output = Child.run(command, silence, total);
    long tooMany = target.tooMany().getAsLong() - tooManyBefore;
    return toRow(w, target, contender, label, output, tooMany);
  }

  private Row toRow(
      Workload w,
      Target target,
      Contender contender,
      String label,
      Child.Output output,
      long serverTooMany) {
    List<Row.Run> runs =
        output.of("run").stream()
            .map(
                l ->
                    new Row.Run(
                        l.number("nanos"),
                        (int) l.number("count"),
                        (int) l.number("ok"),
                        (int) l.number("too_many"),
                        (int) l.number("failed")))
            .toList();
    String note = null;
    List<Child.Line> skip = output.of("skip");
    if (!skip.isEmpty()) {
      note =
          String.format(
              Locale.ROOT,
              "not measured: its warm-up predicts %,.0f s per run, above the %d s bound",
              skip.get(0).number("predicted_nanos") / 1e9,
              plan.maxRunSeconds());
    } else if (!output.of("over").isEmpty()) {
      note =
          String.format(
              Locale.ROOT,
              "%d of %d runs measured: run %d took %,.0f s, above the %d s bound",
              runs.size(),
              plan.runs(),
              output.of("over").get(0).number("index") + 1,
              output.of("over").get(0).number("nanos") / 1e9,
              plan.maxRunSeconds());
    } else if (output.killed()) {
      note =
          String.format(
              Locale.ROOT,
              "stopped: no run ended within %d s; %d of %d runs measured",
              2 * plan.maxRunSeconds() + 30,
              runs.size(),
              plan.runs());
    } else if (output.exitCode() != 0) {
      note = "failed with exit code " + output.exitCode() + ": " + output.errorTail().strip();
    } else if (runs.size() < plan.runs()) {
      note = runs.size() + " of " + plan.runs() + " runs measured";
    }
    List<Child.Line> peaks = output.of("peak");
    Child.Line peak = peaks.isEmpty() ? null : peaks.get(0);
    return new Row(
        w.id(),
        target.name(),
        contender,
        label,
        runs,
        peak == null ? -1 : peak.number("threads"),
        peak == null ? -1 : peak.number("heap_bytes"),
        peak == null ? -1 : peak.number("rss_kb"),
        output.of("start").stream().mapToLong(l -> l.number("threads")).findFirst().orElse(-1),
        w.quota() ? serverTooMany : -1,
        note);
  }

  private static String progress(Row row) {
    String head =
        String.format(Locale.ROOT, "%s %-8s %-42s", row.workload(), row.server(), row.label());
    if (!row.measured()) {
      return head + " " + row.note();
    }
    return head
        + String.format(
            Locale.ROOT,
            " median %.3f s (min %.3f, max %.3f) ok %s threads %d%s",
            row.medianSeconds(),
            row.minSeconds(),
            row.maxSeconds(),
            row.okOfCount(),
            row.peakThreads(),
            row.note() == null ? "" : " — " + row.note());
  }
}
