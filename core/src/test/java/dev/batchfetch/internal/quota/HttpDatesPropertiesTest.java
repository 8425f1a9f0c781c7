package dev.batchfetch.internal.quota;

import static dev.batchfetch.internal.quota.Property.expectEqual;
import static java.time.ZoneOffset.UTC;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTP-dates over many generated inputs; {@link Property} prints the seed of a failing case. */
@Timeout(30)
class HttpDatesPropertiesTest {
  private static final long FIRST = LocalDateTime.of(0, 1, 1, 0, 0).toEpochSecond(UTC);
  private static final long LAST = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(UTC);
  private static final long FORTY_NINE_YEARS = 49 * 365 * 86_400L;

  /** A response's time, a time of years 0-9999, and one within 49 years of the response. */
  record Case(Instant now, Instant time, Instant near) {}

  record Fields(Instant now, DateFields date) {
    @Override
    public String toString() {
      return "now " + now + ": " + date.text();
    }
  }

  record Text(Instant now, String text) {}

  private static Case datesAround(Random r, long aheadFrom, long aheadTo) {
    Instant now = QuotaInputs.realisticNow(r);
    long seconds = FIRST + (long) (r.nextDouble() * (LAST - FIRST));
    long ahead = aheadFrom + (long) (r.nextDouble() * (aheadTo - aheadFrom));
    return new Case(
        now,
        Instant.ofEpochSecond(seconds, r.nextInt(1_000_000_000)),
        now.plusSeconds(ahead).truncatedTo(ChronoUnit.SECONDS));
  }

  /** 10,000 cases, each in the three forms. */
  @Test
  void formattingInEveryFormAndParsingGivesTheSecondBack() {
    Property.forAll(
        "date round trip",
        10_000,
        r -> datesAround(r, -FORTY_NINE_YEARS, FORTY_NINE_YEARS),
        c -> {
          Instant second = c.time().truncatedTo(ChronoUnit.SECONDS);
          expectEqual("IMF", HttpDates.parse(QuotaInputs.format(0, c.time()), c.now()), second);
          expectEqual("asctime", HttpDates.parse(QuotaInputs.format(2, c.time()), c.now()), second);
          // Two digits of year name a time within 50 years of now.
          String rfc850 = QuotaInputs.format(1, c.near());
          expectEqual(rfc850, HttpDates.parse(rfc850, c.now()), c.near());
        });
  }

  @Test
  void datesWithinTheHorizonComeBackExactlyAsRetryAfter() {
    Property.forAll(
        "Retry-After date round trip",
        10_000,
        r -> datesAround(r, 1, QuotaHeaders.MAX_HORIZON.toSeconds() + 2),
        c -> {
          Instant expected = c.near().isAfter(horizon(c.now())) ? horizon(c.now()) : c.near();
          for (int form = 0; form < 3; form++) {
            String date = QuotaInputs.format(form, c.near());
            expectEqual(
                date,
                QuotaHeaders.parse(Map.of("retry-after", List.of(date)), c.now()),
                new QuotaSignal(expected, -1, -1, null, null));
          }
        });
  }

  /** Day names, day numbers, months, years, times and zones each right or wrong. */
  @Test
  void datesBuiltFieldByFieldAreReadExactlyWhenValid() {
    Property.forAll(
        "mangled date fields",
        20_000,
        r -> new Fields(QuotaInputs.realisticNow(r), DateFields.random(r)),
        c -> expectEqual("date", HttpDates.parse(c.date().text(), c.now()), expected(c)));
  }

  @Test
  void mutatedDatesNeverThrowAndAreWholeSeconds() {
    Property.forAll(
        "mutated dates",
        10_000,
        r -> {
          Instant now = QuotaInputs.now(r);
          return new Text(now, QuotaInputs.mutate(r, QuotaInputs.date(r, now)));
        },
        c -> {
          Instant parsed = HttpDates.parse(c.text(), c.now());
          if (parsed != null) {
            expectEqual("whole seconds", parsed.truncatedTo(ChronoUnit.SECONDS), parsed);
          }
        });
  }

  private static Instant horizon(Instant now) {
    return now.plus(QuotaHeaders.MAX_HORIZON);
  }

  /** The oracle: what RFC 9110 says the fields mean, written apart from the parser. */
  private static Instant expected(Fields c) {
    DateFields d = c.date();
    Instant now = c.now();
    boolean dayName =
        (d.form() == 1 ? DateFields.LONG_DAYS : DateFields.DAYS)
            .stream().anyMatch(d.dayName()::equalsIgnoreCase);
    int month = 0;
    for (int m = 1; m <= 12; m++) {
      month = DateFields.MONTHS.get(m - 1).equalsIgnoreCase(d.month()) ? m : month;
    }
    boolean shape =
        dayName
            && month > 0
            && d.day().matches(d.form() == 2 ? "\\d\\d| \\d" : d.form() == 0 ? "\\d\\d?" : "\\d\\d")
            && d.year().matches(d.form() == 1 ? "\\d\\d" : "\\d\\d\\d\\d")
            && (d.form() == 2 ? d.zone().isEmpty() : d.zone().equalsIgnoreCase("GMT"));
    if (!shape) {
      return null;
    }
    int day = Integer.parseInt(d.day().trim());
    int hour = Integer.parseInt(d.hour());
    int minute = Integer.parseInt(d.minute());
    int second = Integer.parseInt(d.second());
    int year = Integer.parseInt(d.year());
    if (d.form() == 1) {
      LocalDateTime latest =
          LocalDateTime.ofEpochSecond(now.getEpochSecond(), 0, UTC).plusYears(50);
      year = latest.getYear() - 100;
      while (year % 100 != Integer.parseInt(d.year())) {
        year++;
      }
      // the latest such year whose moment is not past the latest: compare field by field
      int[] moment = {year + 100, month, day, hour * 3600 + minute * 60 + second};
      int[] limit = {
        latest.getYear(),
        latest.getMonthValue(),
        latest.getDayOfMonth(),
        latest.toLocalTime().toSecondOfDay()
      };
      if (Arrays.compare(moment, limit) <= 0) {
        year += 100;
      }
    }
    if (hour > 23 || minute > 59 || second > 60 || day < 1) {
      return null;
    }
    if (day > YearMonth.of(year, month).lengthOfMonth()) {
      return null;
    }
    return LocalDateTime.of(year, month, day, 0, 0)
        .plusSeconds(hour * 3600L + minute * 60L + second)
        .toInstant(UTC);
  }
}
