package dev.batchfetch.examples.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What an earlier run already wrote to the output file, for {@code --resume}: the input lines with
 * a final result, known by line number and URL. A line of the input is fetched again when the file
 * has no result for that number with that URL, so an input edited since is fetched where it
 * changed. Immutable.
 *
 * @param done the input lines with a final result, as {@code number + " " + url}
 * @param failed how many of them are not a success
 */
record Resume(Set<String> done, int failed) {
  /** Nothing done: a first run. */
  static final Resume NONE = new Resume(Set.of(), 0);

  /**
   * Reads {@code output}, written by an earlier run, and cuts a last line left unfinished (by a
   * kill -9, say) so that appending starts on a line of its own. A missing file is a first run.
   *
   * @throws IOException if the file cannot be read or cut
   */
  static Resume read(Path output) throws IOException {
    if (!Files.exists(output)) {
      return NONE;
    }
    cutUnfinishedLine(output);
    Set<String> done = new HashSet<>();
    int failed = 0;
    for (String line : Files.readAllLines(output, UTF_8)) {
      Map<String, @Nullable Object> record = JsonLine.parse(line);
      if (record == null
          || !(record.get("line") instanceof Long number)
          || !(record.get("url") instanceof String url)) {
        continue; // not one of ours
      }
      Object error = record.get("error");
      if ("CANCELLED".equals(error) || "REJECTED".equals(error)) {
        continue; // no final result: fetch it again
      }
      if (done.add(key(number, url)) && error != null) {
        failed++;
      }
    }
    return new Resume(Set.copyOf(done), failed);
  }

  /** How many input lines have a final result already. */
  int size() {
    return done.size();
  }

  /** Whether input line {@code number} holding {@code url} has a final result already. */
  boolean isDone(long number, String url) {
    return done.contains(key(number, url));
  }

  /** The input lines still to fetch. */
  List<InputLines.Line> remaining(List<InputLines.Line> lines) {
    return lines.stream().filter(line -> !isDone(line.number(), line.url())).toList();
  }

  private static String key(long number, String url) {
    return number + " " + url;
  }

  private static void cutUnfinishedLine(Path output) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "rw")) {
      long end = file.length();
      long keep = end;
      while (keep > 0) {
        file.seek(keep - 1);
        if (file.read() == '\n') {
          break;
        }
        keep--;
      }
      if (keep < end) {
        file.setLength(keep);
      }
    }
  }
}
