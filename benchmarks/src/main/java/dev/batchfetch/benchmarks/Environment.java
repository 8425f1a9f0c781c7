package dev.batchfetch.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.batchfetch.testing.NginxProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The machine and the tools found on it: what the report's header says, and which contenders can
 * run. Missing tools are not installed here ({@code benchmarks/run.sh} does that when it may);
 * their rows are skipped with a note.
 *
 * @param nginx the nginx binary, if installed
 * @param wrk the wrk binary, if installed
 * @param python a python3 that imports {@code requests} and {@code aiohttp}, if there is one
 * @param scripts a temporary directory holding {@code bench.py} and {@code ids.lua}
 * @param machine what the report says about the machine, in order
 * @param versions the versions of everything compared, in order
 * @param missing one note per tool that was not found
 */
record Environment(
    Optional<Path> nginx,
    Optional<Path> wrk,
    Optional<String> python,
    Path scripts,
    Map<String, String> machine,
    Map<String, String> versions,
    List<String> missing) {

  static Environment detect() throws IOException {
    Path scripts = Files.createTempDirectory("batchfetch-bench-scripts");
    for (String name : List.of("bench.py", "ids.lua")) {
      try (InputStream in = resource(name)) {
        Files.copy(in, scripts.resolve(name));
      }
    }
    Optional<Path> nginx = NginxProcess.binary();
    Optional<Path> wrk = onPath("wrk");
    Optional<String> python =
        Stream.of("/usr/bin/python3", "python3")
            .filter(p -> output(List.of(p, "-c", "import requests, aiohttp")).isPresent())
            .findFirst();
    List<String> missing = new ArrayList<>();
    if (nginx.isEmpty()) {
      missing.add(
          "nginx is not installed: no second-opinion rows, and W4 runs against the suite's own"
              + " token bucket instead of nginx's limit_req (Debian: nginx).");
    }
    if (wrk.isEmpty()) {
      missing.add("wrk is not installed: no ceiling rows (Debian: wrk).");
    }
    if (python.isEmpty()) {
      missing.add(
          "no python3 that imports requests and aiohttp: no Python rows (Debian:"
              + " python3-requests, python3-aiohttp; PyPI is not used).");
    }
    return new Environment(
        nginx, wrk, python, scripts, describeMachine(), versions(nginx, wrk, python), missing);
  }

  Path script(String name) {
    return scripts.resolve(name);
  }

  /** The load averages of /proc/loadavg (1, 5 and 15 minutes), or "unknown". */
  static String loadAverage() {
    return read("/proc/loadavg")
        .map(s -> String.join(" ", List.of(s.trim().split(" +", -1)).subList(0, 3)))
        .orElse("unknown");
  }

  private static Map<String, String> describeMachine() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("Cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put(
        "CPU",
        read("/proc/cpuinfo")
            .flatMap(s -> s.lines().filter(l -> l.startsWith("model name")).findFirst())
            .map(l -> l.substring(l.indexOf(':') + 1).trim())
            .orElse(System.getProperty("os.arch")));
    m.put(
        "RAM",
        read("/proc/meminfo")
            .flatMap(s -> s.lines().filter(l -> l.startsWith("MemTotal")).findFirst())
            .map(l -> String.format(Locale.ROOT, "%.1f GiB", kib(l) / 1024.0 / 1024.0))
            .orElse("unknown"));
    m.put(
        "OS",
        read("/etc/os-release")
                .flatMap(s -> s.lines().filter(l -> l.startsWith("PRETTY_NAME=")).findFirst())
                .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", ""))
                .orElse(System.getProperty("os.name"))
            + ", kernel "
            + System.getProperty("os.version"));
    m.put(
        "Java",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vm.vendor")
            + ")");
    return m;
  }

  private static Map<String, String> versions(
      Optional<Path> nginx, Optional<Path> wrk, Optional<String> python) {
    Properties built = new Properties();
    try (InputStream in = resource("versions.properties")) {
      built.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> v = new LinkedHashMap<>();
    v.put("batchfetch", built.getProperty("batchfetch"));
    v.put("OkHttp", built.getProperty("okhttp") + " (okhttp-jvm)");
    v.put("Resilience4j", built.getProperty("resilience4j"));
    v.put("SLF4J", built.getProperty("slf4j"));
    v.put("JMH", built.getProperty("jmh"));
    nginx.flatMap(p -> output(List.of(p.toString(), "-v"))).ifPresent(s -> v.put("nginx", s));
    wrk.flatMap(p -> output(List.of(p.toString(), "-v"))).ifPresent(s -> v.put("wrk", s));
    python.ifPresent(
        p ->
            output(
                    List.of(
                        p,
                        "-c",
                        "import sys, requests, aiohttp; print(sys.version.split()[0],"
                            + " 'requests', requests.__version__, 'aiohttp',"
                            + " aiohttp.__version__)"))
                .ifPresent(s -> v.put("Python", s + " (" + p + ")")));
    return v;
  }

  private static long kib(String meminfoLine) {
    return Long.parseLong(meminfoLine.replaceAll("[^0-9]", ""));
  }

  private static InputStream resource(String name) {
    InputStream in = Environment.class.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("missing resource " + name);
    }
    return in;
  }

  private static Optional<Path> onPath(String name) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":", -1))
        .filter(entry -> !entry.isEmpty())
        .map(entry -> Path.of(entry, name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static Optional<String> read(String file) {
    try {
      return Optional.of(Files.readString(Path.of(file), UTF_8));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The first line a command prints (standard output and error together), if it runs at all and
   * ends within ten seconds with status 0 or prints something; {@code wrk -v} exits with 1.
   */
  private static Optional<String> output(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String text = new String(process.getInputStream().readAllBytes(), UTF_8).trim();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.empty();
      }
      boolean quiet = command.contains("-c"); // python's import check prints nothing
      if (process.exitValue() != 0 && (quiet || text.isEmpty())) {
        return Optional.empty();
      }
      return Optional.of(text.isEmpty() ? "" : text.lines().findFirst().orElse(""));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
