package dev.batchfetch.examples.cli;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Counts the results by outcome for the line the command line ends with:
 *
 * <pre>{@code
 * batchfetch-cli: 5 lines in 1.23 s (4.1/s): 3 ok, 2 failed (1 HTTP 404, 1 INVALID_URL); 6 attempts
 * }</pre>
 *
 * <p>and, when quota discovery paced a host, what it learned: {@code ; learned 9.7/s}.
 *
 * <p>Not thread-safe.
 */
final class Summary {
  private int lines;
  private int ok;
  private long attempts;
  private final Map<String, Integer> failures = new LinkedHashMap<>();
  private Map<String, Double> learned = Map.of();

  /** Counts {@code result}. */
  void add(Result result) {
    lines++;
    attempts += result.attempts();
    ErrorKind error = result.error();
    if (error == null) {
      ok++;
    } else {
      String outcome = error == ErrorKind.HTTP_STATUS ? "HTTP " + result.status() : error.name();
      failures.merge(outcome, 1, Integer::sum);
    }
  }

  /** How many results were counted. */
  int lines() {
    return lines;
  }

  /** The rates quota discovery learned by the batch's end, for the line's last part. */
  void learned(Map<String, Double> rates) {
    this.learned = new LinkedHashMap<>(rates);
  }

  /** Whether every result counted was a success; true when there were none. */
  boolean allSucceeded() {
    return ok == lines;
  }

  /** The summary line, for a batch that took {@code elapsed}. */
  String text(Duration elapsed) {
    StringBuilder text =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "batchfetch-cli: %s in %.2f s (%s): %,d ok",
                HostLines.count(lines, "line"),
                elapsed.toNanos() / 1e9,
                rate(elapsed),
                ok));
    if (!failures.isEmpty()) {
      text.append(String.format(Locale.ROOT, ", %,d failed (", lines - ok))
          .append(
              failures.entrySet().stream()
                  .sorted(
                      Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                          .thenComparing(Map.Entry.comparingByKey()))
                  .map(e -> String.format(Locale.ROOT, "%,d %s", e.getValue(), e.getKey()))
                  .collect(Collectors.joining(", ")))
          .append(')');
    }
    text.append("; ").append(HostLines.count(attempts, "attempt"));
    if (!learned.isEmpty()) {
      text.append("; ").append(Progress.learned(learned));
    }
    return text.toString();
  }

  private String rate(Duration elapsed) {
    return Progress.rate(new Progress.Counts(lines, lines - ok), elapsed);
  }
}
