package dev.batchfetch.examples.cli;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
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

  /**
   * The fields of one line written by {@link #of}: a flat JSON object whose values are strings,
   * integers ({@link Long}) or null. Null when the line is not such an object, or is cut short.
   */
  static @Nullable Map<String, @Nullable Object> parse(String line) {
    Parser parser = new Parser(line.strip());
    try {
      return parser.object();
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      return null;
    }
  }

  /** Reads the flat objects {@link #of} writes; throws on anything else. */
  private static final class Parser {
    private final String text;
    private int at;

    Parser(String text) {
      this.text = text;
    }

    Map<String, @Nullable Object> object() {
      Map<String, @Nullable Object> fields = new LinkedHashMap<>();
      expect('{');
      if (text.charAt(at) == '}') {
        at++;
      } else {
        do {
          String name = string();
          expect(':');
          fields.put(name, value());
        } while (next(',', '}') == ',');
      }
      if (at != text.length()) {
        throw new IllegalArgumentException("text after the object");
      }
      return fields;
    }

    private @Nullable Object value() {
      char c = text.charAt(at);
      if (c == '"') {
        return string();
      }
      if (text.startsWith("null", at)) {
        at += 4;
        return null;
      }
      int start = at;
      if (c == '-') {
        at++;
      }
      while (at < text.length() && Character.isDigit(text.charAt(at))) {
        at++;
      }
      return Long.parseLong(text.substring(start, at));
    }

    private String string() {
      expect('"');
      StringBuilder value = new StringBuilder();
      for (char c = text.charAt(at++); c != '"'; c = text.charAt(at++)) {
        if (c != '\\') {
          value.append(c);
          continue;
        }
        char escaped = text.charAt(at++);
        switch (escaped) {
          case 'n' -> value.append('\n');
          case 'r' -> value.append('\r');
          case 't' -> value.append('\t');
          case 'b' -> value.append('\b');
          case 'f' -> value.append('\f');
          case 'u' -> {
            value.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
            at += 4;
          }
          default -> value.append(escaped); // quote, backslash, slash
        }
      }
      return value.toString();
    }

    private void expect(char c) {
      if (text.charAt(at++) != c) {
        throw new IllegalArgumentException("expected " + c + " at " + (at - 1));
      }
    }

    private char next(char a, char b) {
      char c = text.charAt(at++);
      if (c != a && c != b) {
        throw new IllegalArgumentException("expected " + a + " or " + b + " at " + (at - 1));
      }
      return c;
    }
  }
}
