package dev.batchfetch.examples.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the URLs of the command line's input: one per line, surrounding blanks removed, blank lines
 * and lines starting with {@code #} skipped. Anything else is a URL to fetch, even when it is not
 * one: the fetcher turns it into an {@code INVALID_URL} result, so no line is dropped silently.
 */
final class InputLines {
  private static final char BYTE_ORDER_MARK = '\uFEFF';

  /**
   * A URL and the number of the line it was read from, counting from 1.
   *
   * @param number the line's number in the input, from 1
   * @param url the line, without the blanks around it
   */
  record Line(int number, String url) {}

  private InputLines() {}

  /** The lines of {@code reader} that hold a URL, in input order. Does not close the reader. */
  static List<Line> read(BufferedReader reader) throws IOException {
    List<Line> lines = new ArrayList<>();
    int number = 0;
    for (String text = reader.readLine(); text != null; text = reader.readLine()) {
      number++;
      if (number == 1 && !text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK) {
        text = text.substring(1);
      }
      String url = text.strip();
      if (!url.isEmpty() && !url.startsWith("#")) {
        lines.add(new Line(number, url));
      }
    }
    return lines;
  }
}
