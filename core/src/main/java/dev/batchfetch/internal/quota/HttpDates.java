package dev.batchfetch.internal.quota;

import static java.time.ZoneOffset.UTC;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.Year;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Parses the three forms of HTTP-date that RFC 9110 §5.6.7 says recipients must accept:
 *
 * <ul>
 *   <li>IMF-fixdate: {@code Sun, 06 Nov 1994 08:49:37 GMT}; also with a one-digit day, {@code Tue,
 *       1 Dec 2026 08:49:37 GMT}, as Java's {@code DateTimeFormatter.RFC_1123_DATE_TIME} writes it
 *       (RFC 1123's grammar allows it, and servers on the JVM send it)
 *   <li>obsolete RFC 850: {@code Sunday, 06-Nov-94 08:49:37 GMT}
 *   <li>ANSI C asctime: {@code Sun Nov 6 08:49:37 1994}, with two spaces before a one-digit day
 * </ul>
 *
 * <p>Strict on form (the form's own day-name length, single spaces, two-digit fields, {@code GMT}
 * and no other zone) and on range (month lengths with leap years, hours 0-23, minutes 0-59, seconds
 * 0-60 where 60 is a leap second, read as the next minute's 0). Names of days and months, and
 * {@code GMT}, are matched ignoring case. The day name is not checked against the date: RFC 9110
 * asks recipients to be robust, and the date is unambiguous without it.
 *
 * <p>An RFC 850 two-digit year is the latest year with those digits that is not more than 50 years
 * after {@code now} (RFC 9110: a date that appears to be more than 50 years in the future is in the
 * past century).
 *
 * <p>Stateless and thread-safe; never throws on any input.
 */
final class HttpDates {
  private static final List<String> MONTHS =
      List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
  private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
  private static final List<String> LONG_DAYS =
      List.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday");

  // Keeps the year arithmetic of the two-digit rule inside LocalDateTime's range for any `now`.
  private static final long MIN_NOW = LocalDateTime.of(-100_000, 1, 1, 0, 0).toEpochSecond(UTC);
  private static final long MAX_NOW = LocalDateTime.of(100_000, 1, 1, 0, 0).toEpochSecond(UTC);

  private HttpDates() {}

  /**
   * The instant {@code value} names, to the second, or null when it is not an HTTP-date in one of
   * the three forms. Leading and trailing spaces and tabs are ignored.
   */
  static @Nullable Instant parse(String value, Instant now) {
    String s = HeaderNumbers.trimOws(value);
    int letters = 0;
    while (letters < s.length() && isAlpha(s.charAt(letters))) {
      letters++;
    }
    if (letters == s.length()) {
      return null;
    }
    String day = lower(s.substring(0, letters));
    Cursor c = new Cursor(s, letters);
    if (s.charAt(letters) == ',' && letters == 3 && DAYS.contains(day)) {
      return imfFixdate(c);
    }
    if (s.charAt(letters) == ',' && LONG_DAYS.contains(day)) {
      return rfc850(c, now);
    }
    if (s.charAt(letters) == ' ' && letters == 3 && DAYS.contains(day)) {
      return asctime(c);
    }
    return null;
  }

  // , SP 06 SP Nov SP 1994 SP 08:49:37 SP GMT, or a one-digit day: , SP 6 SP Nov ...
  private static @Nullable Instant imfFixdate(Cursor c) {
    if (!c.expect(',') || !c.expect(' ')) {
      return null;
    }
    int day = c.digitsBefore(' ', 2);
    int month = c.expect(' ') ? c.month() : -1;
    int year = c.expect(' ') ? c.digits(4) : -1;
    int time = c.expect(' ') ? c.time() : -1;
    if (day < 0 || month < 0 || year < 0 || time < 0 || !c.expect(" GMT") || !c.atEnd()) {
      return null;
    }
    return instant(year, month, day, time);
  }

  // , SP 06-Nov-94 SP 08:49:37 SP GMT
  private static @Nullable Instant rfc850(Cursor c, Instant now) {
    if (!c.expect(',') || !c.expect(' ')) {
      return null;
    }
    int day = c.digits(2);
    int month = c.expect('-') ? c.month() : -1;
    int yy = c.expect('-') ? c.digits(2) : -1;
    int time = c.expect(' ') ? c.time() : -1;
    if (day < 0 || month < 0 || yy < 0 || time < 0 || !c.expect(" GMT") || !c.atEnd()) {
      return null;
    }
    LocalDateTime latest =
        LocalDateTime.ofEpochSecond(
                Math.max(MIN_NOW, Math.min(MAX_NOW, now.getEpochSecond())), 0, UTC)
            .plusYears(50);
    int year = latest.getYear() - Math.floorMod(latest.getYear(), 100) + yy;
    long latestInYear =
        order(latest.getMonthValue(), latest.getDayOfMonth(), latest.toLocalTime().toSecondOfDay());
    if (year > latest.getYear()
        || (year == latest.getYear() && order(month, day, time) > latestInYear)) {
      year -= 100;
    }
    return instant(year, month, day, time);
  }

  // SP Nov SP (2DIGIT / SP DIGIT) SP 08:49:37 SP 1994
  private static @Nullable Instant asctime(Cursor c) {
    if (!c.expect(' ')) {
      return null;
    }
    int month = c.month();
    int day = !c.expect(' ') ? -1 : c.expect(' ') ? c.digits(1) : c.digits(2);
    int time = c.expect(' ') ? c.time() : -1;
    int year = c.expect(' ') ? c.digits(4) : -1;
    if (month < 0 || day < 0 || time < 0 || year < 0 || !c.atEnd()) {
      return null;
    }
    return instant(year, month, day, time);
  }

  private static @Nullable Instant instant(int year, int month, int day, int secondOfDay) {
    if (day < 1 || day > Month.of(month).length(Year.isLeap(year))) {
      return null;
    }
    return Instant.ofEpochSecond(
        LocalDate.of(year, month, day).toEpochDay() * 86_400 + secondOfDay);
  }

  // Orders the moments of one year, valid dates or not (29 Feb is compared before it is checked).
  private static long order(int month, int day, int secondOfDay) {
    return (month * 32L + day) * 86_401 + secondOfDay;
  }

  private static boolean isAlpha(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
  }

  private static String lower(String ascii) {
    return ascii.toLowerCase(Locale.ROOT);
  }

  /** Reads fixed fields from left to right; every read returns -1 or false on a mismatch. */
  private static final class Cursor {
    private final String s;
    private int pos;

    Cursor(String s, int pos) {
      this.s = s;
      this.pos = pos;
    }

    boolean expect(char ch) {
      if (pos < s.length() && s.charAt(pos) == ch) {
        pos++;
        return true;
      }
      return false;
    }

    /** The text, ignoring case. */
    boolean expect(String text) {
      if (s.regionMatches(true, pos, text, 0, text.length())) {
        pos += text.length();
        return true;
      }
      return false;
    }

    boolean atEnd() {
      return pos == s.length();
    }

    /** Exactly n ASCII digits as a number, or -1. */
    int digits(int n) {
      if (pos + n > s.length()) {
        return -1;
      }
      int value = 0;
      for (int i = 0; i < n; i++) {
        char ch = s.charAt(pos + i);
        if (ch < '0' || ch > '9') {
          return -1;
        }
        value = value * 10 + (ch - '0');
      }
      pos += n;
      return value;
    }

    /**
     * One to {@code max} ASCII digits, followed by {@code next} (not taken), as a number, or -1.
     */
    int digitsBefore(char next, int max) {
      for (int n = 1; n <= max; n++) {
        if (pos + n < s.length() && s.charAt(pos + n) == next) {
          return digits(n);
        }
      }
      return -1;
    }

    /** A three-letter month name as 1-12, or -1. */
    int month() {
      if (pos + 3 > s.length()) {
        return -1;
      }
      int month = MONTHS.indexOf(lower(s.substring(pos, pos + 3))) + 1;
      if (month > 0) {
        pos += 3;
        return month;
      }
      return -1;
    }

    /** HH:MM:SS as the second of the day (86,400 for a leap second at 23:59:60), or -1. */
    int time() {
      int hour = digits(2);
      int minute = expect(':') ? digits(2) : -1;
      int second = expect(':') ? digits(2) : -1;
      if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
        return -1;
      }
      return hour * 3600 + minute * 60 + second;
    }
  }
}
