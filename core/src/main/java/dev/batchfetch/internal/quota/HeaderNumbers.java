package dev.batchfetch.internal.quota;

/**
 * The numbers of quota fields, read leniently but never wrongly: ASCII digits only (no sign,
 * exponent or other script's digits), spaces and tabs around ignored, values too large for a long
 * saturated rather than wrapped.
 *
 * <p>Stateless and thread-safe; never throws on any input.
 */
final class HeaderNumbers {
  private HeaderNumbers() {}

  /** A non-negative integer, saturating at Long.MAX_VALUE; -1 if {@code value} is not one. */
  static long count(String value) {
    String s = trimOws(value);
    return isDigits(s) ? saturatingParse(s) : -1;
  }

  /**
   * A non-negative decimal number of seconds ({@code DIGITS [ "." DIGITS ]}) in milliseconds,
   * rounded up and saturating at Long.MAX_VALUE; -1 if {@code value} is not one.
   */
  static long millis(String value) {
    String s = trimOws(value);
    int dot = s.indexOf('.');
    String whole = dot < 0 ? s : s.substring(0, dot);
    String fraction = dot < 0 ? "000" : s.substring(dot + 1);
    if (!isDigits(whole) || !isDigits(fraction)) {
      return -1;
    }
    long millis = 0;
    for (int i = 0; i < 3; i++) {
      millis = millis * 10 + (i < fraction.length() ? fraction.charAt(i) - '0' : 0);
    }
    for (int i = 3; i < fraction.length(); i++) {
      if (fraction.charAt(i) != '0') {
        millis++; // rounds up, never early
        break;
      }
    }
    long seconds = saturatingParse(whole);
    return seconds > (Long.MAX_VALUE - 1000) / 1000 ? Long.MAX_VALUE : seconds * 1000 + millis;
  }

  /** {@code value} without the spaces and tabs (HTTP's OWS) around it. */
  static String trimOws(String value) {
    int from = 0;
    int to = value.length();
    while (from < to && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) {
      from++;
    }
    while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) {
      to--;
    }
    return value.substring(from, to);
  }

  private static boolean isDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return !s.isEmpty();
  }

  private static long saturatingParse(String digits) {
    long value = 0;
    for (int i = 0; i < digits.length(); i++) {
      int digit = digits.charAt(i) - '0';
      if (value > (Long.MAX_VALUE - digit) / 10) {
        return Long.MAX_VALUE;
      }
      value = value * 10 + digit;
    }
    return value;
  }
}
