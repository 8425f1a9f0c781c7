package dev.batchfetch.internal.quota;

import java.util.List;
import java.util.Random;

/**
 * An HTTP-date built field by field, each field the right shape or not: the generator of the
 * mangled dates (wrong day names, Feb 30, hour 25, other zones) whose oracle is in {@link
 * HttpDatesPropertiesTest}.
 *
 * @param form 0 IMF-fixdate, 1 RFC 850, 2 asctime
 */
record DateFields(
    int form,
    String dayName,
    String day,
    String month,
    String year,
    String hour,
    String minute,
    String second,
    String zone) {
  static final List<String> MONTHS =
      List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");
  static final List<String> DAYS = List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");
  static final List<String> LONG_DAYS =
      List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");

  static DateFields random(Random r) {
    int form = r.nextInt(3);
    int pick = r.nextInt(10);
    String dayName =
        pick < 7
            ? (form == 1 ? LONG_DAYS : DAYS).get(r.nextInt(7))
            : pick < 9 ? (form == 1 ? DAYS : LONG_DAYS).get(r.nextInt(7)) : "Son";
    int dayOfMonth = r.nextInt(10) < 8 ? 1 + r.nextInt(31) : r.nextInt(100);
    String day =
        form == 2 && dayOfMonth < 10 && r.nextBoolean()
            ? " " + dayOfMonth
            : r.nextInt(20) == 0 ? Integer.toString(dayOfMonth) : twoDigits(dayOfMonth);
    String month =
        r.nextInt(10) < 9
            ? QuotaInputs.randomCase(r, MONTHS.get(r.nextInt(12)))
            : List.of("Foo", "Sept", "January", "", "N0v").get(r.nextInt(5));
    int digits = form == 1 ? 2 : 4;
    String year =
        QuotaInputs.digits(
            r, r.nextInt(10) < 9 ? digits : List.of(1, 2, 3, 4, 5).get(r.nextInt(5)));
    String zone =
        r.nextInt(10) < 8
            ? (form == 2 ? "" : QuotaInputs.randomCase(r, "GMT"))
            : List.of("UTC", "PST", "+0000", "Z", "", "GMT").get(r.nextInt(6));
    return new DateFields(
        form,
        QuotaInputs.randomCase(r, dayName),
        day,
        month,
        year,
        twoDigits(r.nextInt(10) < 8 ? r.nextInt(24) : r.nextInt(100)),
        twoDigits(r.nextInt(10) < 8 ? r.nextInt(60) : r.nextInt(100)),
        twoDigits(r.nextInt(10) < 8 ? r.nextInt(61) : r.nextInt(100)),
        zone);
  }

  String text() {
    String time = hour + ":" + minute + ":" + second;
    String tail = zone.isEmpty() ? "" : " " + zone;
    return switch (form) {
      case 0 -> dayName + ", " + day + " " + month + " " + year + " " + time + tail;
      case 1 -> dayName + ", " + day + "-" + month + "-" + year + " " + time + tail;
      default -> dayName + " " + month + " " + day + " " + time + " " + year + tail;
    };
  }

  private static String twoDigits(int n) {
    return n < 10 ? "0" + n : Integer.toString(n);
  }
}
