package dev.batchfetch.examples.cli;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The JSON object the command line writes for one input line, on one line of its own:
 *
 * <pre>{@code
 * {"line":3,"url":"https://example.com/a","status":200,"elapsed_ms":41,"attempts":1,"bytes":1256,"error":null,"message":null}
 * }</pre>
 *
 * <p>Written by hand rather than with a JSON library: eight fields of three types do not justify a
 * dependency. Strings are escaped as RFC 8259 requires (quote, backslash and the control
 * characters), and U+2028 and U+2029 too, so that a line is also a valid JavaScript literal.
 */
public final class JsonLine {
  private JsonLine() {}

  /**
   * The JSON line, without its line break, of {@code result}, read from input line {@code line}.
   */
  static String of(int line, Result result) {
    StringBuilder json = new StringBuilder(160);
    json.append("{\"line\":").append(line).append(',');
    return fields(json, result);
  }

  /**
   * The JSON line of {@code result} without an input line number, as the Flink example job writes
   * it: its input is split over many readers, none of which numbers the lines.
   */
  public static String of(Result result) {
    return fields(new StringBuilder(160).append('{'), result);
  }

  private static String fields(StringBuilder json, Result result) {
    json.append("\"url\":");
    string(json, result.url());
    json.append(",\"status\":").append(result.status());
    json.append(",\"elapsed_ms\":").append(result.elapsed().toMillis());
    json.append(",\"attempts\":").append(result.attempts());
    json.append(",\"bytes\":").append(result.bodyLength());
    ErrorKind error = result.error();
    json.append(",\"error\":");
    string(json, error == null ? null : error.name());
    json.append(",\"message\":");
    string(json, message(result));
    return json.append('}').toString();
  }

  /**
   * What went wrong, in words: the exception's message (its class when it has none), or null for a
   * success and for an HTTP status, which {@code status} already says.
   */
  static @Nullable String message(Result result) {
    Throwable exception = result.exception();
    if (exception == null) {
      return null;
    }
    String message = exception.getMessage();
    return message == null || message.isBlank() ? exception.getClass().getName() : message;
  }

  /** Appends {@code value} as a JSON string, or {@code null}. */
  static void string(StringBuilder json, @Nullable String value) {
    if (value == null) {
      json.append("null");
      return;
    }
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        case '\b' -> json.append("\\b");
        case '\f' -> json.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
