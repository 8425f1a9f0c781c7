package dev.batchfetch.internal.quota;

import dev.batchfetch.internal.quota.StructuredFields.Bytes;
import dev.batchfetch.internal.quota.StructuredFields.Item;
import dev.batchfetch.internal.quota.StructuredFields.Token;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the pieces of one structured field value (RFC 9651 §4.2) from left to right, throwing
 * {@link Malformed} where the RFC says parsing fails; {@link StructuredFields} catches it. Leading
 * and trailing spaces of the field are skipped. Not thread-safe: one parser per field value.
 */
final class StructuredFieldParser {
  private final String s;
  private final int end;
  private int pos;

  StructuredFieldParser(String field) {
    int from = 0;
    int to = field.length();
    while (from < to && field.charAt(from) == ' ') {
      from++;
    }
    while (to > from && field.charAt(to - 1) == ' ') {
      to--;
    }
    this.s = field;
    this.pos = from;
    this.end = to;
  }

  /** Where the value breaks the syntax; carries no stack trace, as garbage is an expected input. */
  static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed() {
      super("malformed structured field", null, false, false);
    }
  }

  boolean atEnd() {
    return pos >= end;
  }

  boolean accept(char ch) {
    if (pos < end && s.charAt(pos) == ch) {
      pos++;
      return true;
    }
    return false;
  }

  /** OWS "," OWS between members, or the end; a trailing comma is malformed. */
  void separator() {
    skip(true);
    if (atEnd()) {
      return;
    }
    if (!accept(',')) {
      throw new Malformed();
    }
    skip(true);
    if (atEnd()) {
      throw new Malformed();
    }
  }

  Item item() {
    Object value = bareItem();
    return new Item(value, parameters());
  }

  Map<String, Object> parameters() {
    Map<String, Object> params = new LinkedHashMap<>();
    while (accept(';')) {
      skip(false);
      String key = key();
      Object value = accept('=') ? bareItem() : true;
      params.put(key, value);
    }
    return params;
  }

  String key() {
    int start = pos;
    char first = peek();
    if (!(first >= 'a' && first <= 'z') && first != '*') {
      throw new Malformed();
    }
    pos++;
    while (pos < end && isKeyChar(s.charAt(pos))) {
      pos++;
    }
    return s.substring(start, pos);
  }

  private char peek() {
    return pos < end ? s.charAt(pos) : '\0';
  }

  private void skip(boolean tabsToo) {
    while (pos < end && (s.charAt(pos) == ' ' || (tabsToo && s.charAt(pos) == '\t'))) {
      pos++;
    }
  }

  private Object bareItem() {
    char ch = peek();
    if (ch == '-' || isDigit(ch)) {
      return number();
    } else if (ch == '"') {
      return string();
    } else if (ch == '*' || isAlpha(ch)) {
      int start = pos++;
      while (pos < end && isTokenChar(s.charAt(pos))) {
        pos++;
      }
      return new Token(s.substring(start, pos));
    } else if (ch == ':') {
      int start = ++pos;
      while (pos < end && isBase64(s.charAt(pos))) {
        pos++;
      }
      if (!accept(':')) {
        throw new Malformed();
      }
      return new Bytes(s.substring(start, pos - 1));
    } else if (ch == '?') {
      pos++;
      if (accept('1')) {
        return true;
      } else if (accept('0')) {
        return false;
      }
    }
    throw new Malformed();
  }

  // Integer: at most 15 digits. Decimal: at most 12 digits, ".", then 1 to 3 digits.
  private Object number() {
    int start = pos;
    accept('-');
    int digitsStart = pos;
    int dot = -1;
    while (pos < end) {
      char ch = s.charAt(pos);
      if (ch == '.' && dot < 0 && pos > digitsStart) {
        dot = pos;
      } else if (!isDigit(ch)) {
        break;
      }
      pos++;
    }
    if (dot < 0) {
      int digits = pos - digitsStart;
      if (digits < 1 || digits > 15) {
        throw new Malformed();
      }
      return Long.parseLong(s.substring(start, pos));
    }
    int fraction = pos - dot - 1;
    if (dot - digitsStart > 12 || fraction < 1 || fraction > 3) {
      throw new Malformed();
    }
    return new BigDecimal(s.substring(start, pos));
  }

  private String string() {
    pos++; // the opening quote
    StringBuilder out = new StringBuilder();
    while (pos < end) {
      char ch = s.charAt(pos++);
      if (ch == '"') {
        return out.toString();
      } else if (ch == '\\') {
        char next = peek();
        if (next != '"' && next != '\\') {
          throw new Malformed();
        }
        out.append(next);
        pos++;
      } else if (ch < 0x20 || ch > 0x7e) {
        throw new Malformed();
      } else {
        out.append(ch);
      }
    }
    throw new Malformed(); // no closing quote
  }

  private static boolean isAlpha(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
  }

  private static boolean isDigit(char ch) {
    return ch >= '0' && ch <= '9';
  }

  private static boolean isKeyChar(char ch) {
    return (ch >= 'a' && ch <= 'z') || isDigit(ch) || "_-.*".indexOf(ch) >= 0;
  }

  // tchar, plus ":" and "/"
  private static boolean isTokenChar(char ch) {
    return isAlpha(ch) || isDigit(ch) || "!#$%&'*+-.^_`|~:/".indexOf(ch) >= 0;
  }

  private static boolean isBase64(char ch) {
    return isAlpha(ch) || isDigit(ch) || ch == '+' || ch == '/' || ch == '=';
  }
}
