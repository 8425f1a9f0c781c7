package dev.batchfetch.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ceiling: {@code wrk} with as many connections as the clients' concurrency, asking for {@code
 * /id/1}, {@code /id/2}, ... ({@code ids.lua}). wrk runs for a time, not a count, so a run's time
 * is the workload's URL count divided by wrk's requests per second: what the count would have taken
 * at wrk's rate. Each run lasts about as long as a client's would (from a short warm-up run), at
 * least the minimum.
 */
final class Wrk {
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+([0-9]+)");
  private static final Pattern TOTAL = Pattern.compile("([0-9]+) requests in ");
  private static final Pattern ERRORS = Pattern.compile("Socket errors:.*");

  private final Path binary;
  private final Path script;
  private final int concurrency;
  private final long minSeconds;
  private final long maxSeconds;

  Wrk(Path binary, Path script, int concurrency, long minSeconds, long maxSeconds) {
    this.binary = binary;
    this.script = script;
    this.concurrency = concurrency;
    this.minSeconds = minSeconds;
    this.maxSeconds = maxSeconds;
  }

  /** Warms up for the minimum time, then measures {@code runs} runs sized for {@code count}. */
  Row measure(String workload, String server, String base, int count, int runs, String label)
      throws IOException, InterruptedException {
    Result warm = once(base, minSeconds);
    if (warm.rate() <= 0) {
      return Row.skipped(workload, server, Contender.WRK, label, "wrk failed: " + warm.output());
    }
    long seconds =
        Math.max(minSeconds, Math.min(maxSeconds, (long) Math.ceil(count / warm.rate())));
    List<Row.Run> measured = new ArrayList<>();
    String note = null;
    for (int i = 0; i < runs; i++) {
      Result r = once(base, seconds);
      if (r.rate() <= 0) {
        note = "wrk failed: " + r.output();
        break;
      }
      long nanos = (long) (count / r.rate() * 1e9);
      long bad = Math.min(count, Math.round(count * (double) r.bad() / Math.max(1, r.total())));
      measured.add(new Row.Run(nanos, count, (int) (count - bad), 0, (int) bad));
    }
    if (note == null) {
      note = "each run: " + seconds + " s of wrk; time = URLs / (requests per second)";
    }
    return new Row(workload, server, Contender.WRK, label, measured, -1, -1, -1, -1, -1, note);
  }

  /** One wrk run: requests per second, how many requests, and how many were not 2xx or failed. */
  private Result once(String base, long seconds) throws IOException, InterruptedException {
    List<String> command =
        List.of(
            binary.toString(),
            "-t" + Math.min(2, concurrency),
            "-c" + concurrency,
            "-d" + seconds + "s",
            "--timeout",
            "10s",
            "-s",
            script.toString(),
            base + "/");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    if (!process.waitFor(seconds + 30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    Matcher rate = RATE.matcher(output);
    Matcher total = TOTAL.matcher(output);
    Matcher non2xx = NON_2XX.matcher(output);
    Matcher errors = ERRORS.matcher(output);
    long bad = non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0;
    if (errors.find()) {
      for (String part : errors.group().replaceAll("[^0-9 ]", "").trim().split(" +", -1)) {
        bad += part.isEmpty() ? 0 : Long.parseLong(part);
      }
    }
    return new Result(
        rate.find() ? Double.parseDouble(rate.group(1)) : -1,
        total.find() ? Long.parseLong(total.group(1)) : 0,
        bad,
        output.trim().lines().reduce((a, b) -> b).orElse(""));
  }

  private record Result(double rate, long total, long bad, String output) {}
}
