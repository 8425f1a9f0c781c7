package dev.batchfetch.examples.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the Java snippets of the Markdown pages, and the regions of source they name.
 *
 * <p>A page marks a snippet with {@code <!-- snippet: path/to/File.java#name -->} on the line
 * before its {@code ```java} fence; the path is from the repository's root. The source marks the
 * region with {@code // [START name]} and {@code // [END name]}.
 */
final class Snippets {
  private static final Pattern MARKER = Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->");

  /** One fenced snippet of a page. */
  record Snippet(Path page, int line, String source, String region, String text) {
    @Override
    public String toString() {
      return page.getFileName() + ":" + line + " " + Path.of(source).getFileName() + "#" + region;
    }
  }

  private Snippets() {}

  /** The repository's root: the nearest directory up from here that has README.md and docs/. */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("no README.md and docs/ above " + Path.of("").toAbsolutePath());
  }

  /**
   * The marked snippets of {@code page}.
   *
   * @throws IllegalStateException if a {@code ```java} fence has no marker, or a marker no fence
   */
  static List<Snippet> of(Path page) throws IOException {
    List<String> lines = Files.readAllLines(page);
    List<Snippet> snippets = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      Matcher marker = MARKER.matcher(line);
      if (marker.matches()) {
        if (i + 1 >= lines.size() || !lines.get(i + 1).trim().equals("```java")) {
          throw new IllegalStateException(where(page, i) + ": a snippet marker needs ```java next");
        }
        int end = i + 2;
        while (end < lines.size() && !lines.get(end).trim().equals("```")) {
          end++;
        }
        String text = String.join("\n", lines.subList(i + 2, end));
        snippets.add(new Snippet(page, i + 1, marker.group(1), marker.group(2), text));
        i = end;
      } else if (line.equals("```java")) {
        throw new IllegalStateException(where(page, i) + ": a Java snippet needs a marker before");
      }
    }
    return snippets;
  }

  /**
   * The lines between {@code // [START region]} and {@code // [END region]} of {@code source},
   * without blank lines at either end and without their common indentation.
   *
   * @throws IllegalStateException if the region is missing or not closed
   */
  static String region(Path source, String region) throws IOException {
    List<String> lines = Files.readAllLines(source);
    int start = lines.stream().map(String::trim).toList().indexOf("// [START " + region + "]");
    int end = lines.stream().map(String::trim).toList().indexOf("// [END " + region + "]");
    if (start < 0 || end < start) {
      throw new IllegalStateException(source + " has no region " + region);
    }
    List<String> body = new ArrayList<>(lines.subList(start + 1, end));
    while (!body.isEmpty() && body.get(0).isBlank()) {
      body.remove(0);
    }
    while (!body.isEmpty() && body.get(body.size() - 1).isBlank()) {
      body.remove(body.size() - 1);
    }
    int indent =
        body.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    return String.join(
        "\n", body.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
  }

  private static String where(Path page, int index) {
    return page.getFileName() + ":" + (index + 1);
  }
}
