package dev.batchfetch.internal.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Known answers for the three HTTP-date forms of RFC 9110 §5.6.7. */
@Timeout(10)
class HttpDatesTest {
  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  private static final Instant RFC_EXAMPLE = Instant.parse("1994-11-06T08:49:37Z");

  @Test
  void readsTheThreeFormsOfTheRfcExample() {
    assertThat(HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).isEqualTo(RFC_EXAMPLE);
    assertThat(HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).isEqualTo(RFC_EXAMPLE);
    assertThat(HttpDates.parse("Sun Nov  6 08:49:37 1994", NOW)).isEqualTo(RFC_EXAMPLE);
  }

  @Test
  void readsTheRetryAfterExampleOfRfc9110() {
    assertThat(HttpDates.parse("Fri, 31 Dec 1999 23:59:59 GMT", NOW))
        .isEqualTo(Instant.parse("1999-12-31T23:59:59Z"));
  }

  @Test
  void ignoresSpacesAroundTheValueAndTheCaseOfNames() {
    assertThat(HttpDates.parse(" \tSUN, 06 nov 1994 08:49:37 GMT  ", NOW)).isEqualTo(RFC_EXAMPLE);
    assertThat(HttpDates.parse("sunday, 06-NOV-94 08:49:37 gmt", NOW)).isEqualTo(RFC_EXAMPLE);
  }

  @Test
  void acceptsTwoDigitDaysInAsctime() {
    assertThat(HttpDates.parse("Sun Nov 06 08:49:37 1994", NOW)).isEqualTo(RFC_EXAMPLE);
    assertThat(HttpDates.parse("Thu Nov 10 08:49:37 1994", NOW))
        .isEqualTo(Instant.parse("1994-11-10T08:49:37Z"));
  }

  @Test
  void readsATwoDigitYearAsAtMostFiftyYearsAhead() {
    // now + 50 years is 2075-06-01T12:00:00Z
    assertThat(HttpDates.parse("Monday, 01-Jan-75 00:00:00 GMT", NOW))
        .isEqualTo(Instant.parse("2075-01-01T00:00:00Z"));
    assertThat(HttpDates.parse("Sunday, 01-Dec-75 00:00:00 GMT", NOW))
        .isEqualTo(Instant.parse("1975-12-01T00:00:00Z"));
    assertThat(HttpDates.parse("Sunday, 01-Jun-75 12:00:00 GMT", NOW))
        .isEqualTo(Instant.parse("2075-06-01T12:00:00Z"));
    assertThat(HttpDates.parse("Sunday, 01-Jun-75 12:00:01 GMT", NOW))
        .isEqualTo(Instant.parse("1975-06-01T12:00:01Z"));
    assertThat(HttpDates.parse("Saturday, 01-Jan-00 00:00:00 GMT", NOW))
        .isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
    assertThat(HttpDates.parse("Friday, 31-Dec-99 23:59:59 GMT", NOW))
        .isEqualTo(Instant.parse("1999-12-31T23:59:59Z"));
  }

  @Test
  void decidesTheCenturyBeforeCheckingTheDay() {
    Instant now = Instant.parse("1950-02-28T00:00:00Z"); // 2000-02-29 is past now + 50 years
    assertThat(HttpDates.parse("Tuesday, 29-Feb-00 00:00:00 GMT", now))
        .as("1900 was no leap year")
        .isNull();
    assertThat(HttpDates.parse("Monday, 28-Feb-00 00:00:00 GMT", now))
        .isEqualTo(Instant.parse("2000-02-28T00:00:00Z"));
  }

  @Test
  void readsALeapSecondAsTheNextMinute() {
    assertThat(HttpDates.parse("Sat, 31 Dec 2016 23:59:60 GMT", NOW))
        .isEqualTo(Instant.parse("2017-01-01T00:00:00Z"));
  }

  @Test
  void checksTheDayOfTheMonthAgainstTheMonthAndLeapYears() {
    assertThat(HttpDates.parse("Thu, 29 Feb 2024 00:00:00 GMT", NOW))
        .isEqualTo(Instant.parse("2024-02-29T00:00:00Z"));
    assertThat(HttpDates.parse("Tue, 29 Feb 2000 00:00:00 GMT", NOW)).isNotNull();
    assertThat(HttpDates.parse("Thu, 29 Feb 2100 00:00:00 GMT", NOW)).isNull();
    assertThat(HttpDates.parse("Sat, 29 Feb 2025 00:00:00 GMT", NOW)).isNull();
    assertThat(HttpDates.parse("Sun, 30 Feb 2025 00:00:00 GMT", NOW)).isNull();
    assertThat(HttpDates.parse("Thu, 31 Apr 2025 00:00:00 GMT", NOW)).isNull();
    assertThat(HttpDates.parse("Thu, 00 Apr 2025 00:00:00 GMT", NOW)).isNull();
  }

  @Test
  void readsAnImfFixdateWithAOneDigitDayAsJavaWritesIt() {
    Instant first = Instant.parse("2026-12-01T08:49:37Z");
    String written = DateTimeFormatter.RFC_1123_DATE_TIME.format(first.atOffset(ZoneOffset.UTC));

    assertThat(written).isEqualTo("Tue, 1 Dec 2026 08:49:37 GMT");
    assertThat(HttpDates.parse(written, NOW)).isEqualTo(first);
    assertThat(HttpDates.parse("Sun, 6 Nov 1994 08:49:37 GMT", NOW)).isEqualTo(RFC_EXAMPLE);
    assertThat(HttpDates.parse("Sat, 0 Nov 1994 08:49:37 GMT", NOW)).isNull();
  }

  @Test
  void doesNotCheckTheDayNameAgainstTheDate() {
    assertThat(HttpDates.parse("Wed, 06 Nov 1994 08:49:37 GMT", NOW)).isEqualTo(RFC_EXAMPLE);
  }

  @Test
  void rejectsWhatIsNotAnHttpDate() {
    String[] bad = {
      "",
      "GMT",
      "Sun, 06 Nov 1994 08:49:37", // no zone
      "Sun, 06 Nov 1994 08:49:37 UTC", // other zone
      "Sun, 06 Nov 1994 08:49:37 +0000",
      "Sun, 06 Nov 1994 08:49:37 GMT+1",
      "Sun, 06 Nov 1994 24:00:00 GMT", // hour
      "Sun, 06 Nov 1994 08:60:00 GMT", // minute
      "Sun, 06 Nov 1994 08:49:61 GMT", // second
      "Sun, 006 Nov 1994 08:49:37 GMT", // three-digit day
      "Sun,  6 Nov 1994 08:49:37 GMT", // a space for a digit in IMF
      "Sun, 06 Nov 94 08:49:37 GMT", // two-digit year in IMF
      "Sun, 06 November 1994 08:49:37 GMT",
      "Sun, 06 Now 1994 08:49:37 GMT", // month
      "Sunday, 06 Nov 1994 08:49:37 GMT", // long day name in IMF
      "Sun, 06-Nov-94 08:49:37 GMT", // short day name in RFC 850
      "Sunday, 06-Nov-1994 08:49:37 GMT", // four-digit year in RFC 850
      "Sun,  06 Nov 1994 08:49:37 GMT", // double space
      "Sun 06 Nov 1994 08:49:37 GMT",
      "Son, 06 Nov 1994 08:49:37 GMT", // day name
      "Sun Nov 6 08:49:37 1994", // asctime needs two places for the day
      "Sun Nov  6 08:49:37 94",
      "Sun Nov  6 08:49:37 1994 GMT",
      "Sun, 06 Nov 1994 08:49:37 GMT trailing",
      "Sun, ٠٦ Nov 1994 08:49:37 GMT", // Arabic-Indic digits
      "1994-11-06T08:49:37Z",
    };
    for (String value : bad) {
      assertThat(HttpDates.parse(value, NOW)).as(value).isNull();
    }
  }

  @Test
  void readsAnyYearOfFourDigits() {
    assertThat(HttpDates.parse("Sat, 01 Jan 0000 00:00:00 GMT", NOW))
        .isEqualTo(Instant.parse("0000-01-01T00:00:00Z"));
    assertThat(HttpDates.parse("Fri, 31 Dec 9999 23:59:59 GMT", NOW))
        .isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
  }

  @Test
  void readsTwoDigitYearsRelativeToAnyNow() {
    assertThat(HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT", Instant.MAX)).isNotNull();
    assertThat(HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT", Instant.MIN)).isNotNull();
    assertThat(HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT", Instant.EPOCH))
        .isEqualTo(Instant.parse("1994-11-06T08:49:37Z"));
  }
}
