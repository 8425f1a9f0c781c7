package dev.batchfetch.internal.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.internal.quota.QuotaSignal.Quota;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Known answers for every header family and form, through both entry points. */
@Timeout(10)
class QuotaHeadersTest {
  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00.250Z");
  private static final Instant HORIZON = NOW.plus(QuotaHeaders.MAX_HORIZON);

  /**
   * Parses the name-value pairs both as OkHttp headers and as a lower-case map; they must agree.
   */
  private static QuotaSignal parse(Instant now, String... namesAndValues) {
    Headers.Builder builder = new Headers.Builder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      builder.addUnsafeNonAscii(namesAndValues[i], namesAndValues[i + 1]);
    }
    Headers headers = builder.build();
    QuotaSignal signal = QuotaHeaders.parse(headers, now);
    assertThat(QuotaHeaders.parse(headers.toMultimap(), now)).isEqualTo(signal);
    return signal;
  }

  private static QuotaSignal parse(String... namesAndValues) {
    return parse(NOW, namesAndValues);
  }

  /** {@code binding}, with {@code others} announced beside its quota. */
  static QuotaSignal withOthers(QuotaSignal binding, Quota... others) {
    List<Quota> quotas = new ArrayList<>(binding.quotas());
    quotas.addAll(List.of(others));
    return new QuotaSignal(
        binding.retryAfter(),
        binding.limit(),
        binding.remaining(),
        binding.reset(),
        binding.window(),
        quotas,
        binding.partition());
  }

  @Test
  void readsGitHubsHeaders() {
    Instant reset = Instant.ofEpochSecond(1372700873);
    QuotaSignal signal =
        parse(
            reset.minusSeconds(600),
            "x-ratelimit-limit",
            "5000",
            "x-ratelimit-remaining",
            "0",
            "x-ratelimit-reset",
            "1372700873",
            "x-ratelimit-used",
            "5000",
            "x-ratelimit-resource",
            "core");

    assertThat(signal).isEqualTo(new QuotaSignal(null, 5000, 0, reset, null));
    assertThat(signal.holdUntil()).isEqualTo(reset);
  }

  @Test
  void readsAnEpochResetInThePastAsNow() {
    QuotaSignal signal = parse("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1372700873");

    assertThat(signal.reset()).isEqualTo(NOW);
    assertThat(signal.holdUntil()).isEqualTo(NOW);
  }

  @Test
  void readsTheRetryAfterExamplesOfRfc9110() {
    assertThat(parse("Retry-After", "120").retryAfter()).isEqualTo(NOW.plusSeconds(120));
    Instant date = Instant.parse("1999-12-31T23:59:59Z");
    assertThat(parse(date.minusSeconds(60), "Retry-After", "Fri, 31 Dec 1999 23:59:59 GMT"))
        .isEqualTo(new QuotaSignal(date, -1, -1, null, null));
    assertThat(parse("Retry-After", "Fri, 31 Dec 1999 23:59:59 GMT").retryAfter())
        .as("a date in the past means now")
        .isEqualTo(NOW);
  }

  @Test
  void readsRetryAfterInEveryDateForm() {
    Instant now = Instant.parse("1994-11-06T08:00:00Z");
    Instant date = Instant.parse("1994-11-06T08:49:37Z");
    for (String value :
        List.of(
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994")) {
      assertThat(parse(now, "Retry-After", value).retryAfter()).as(value).isEqualTo(date);
    }
  }

  @Test
  void roundsAFractionalRetryAfterUpAndIgnoresWhatIsNotANumberOfSeconds() {
    assertThat(parse("Retry-After", "1.5").retryAfter()).isEqualTo(NOW.plusSeconds(2));
    assertThat(parse("Retry-After", "0").retryAfter()).isEqualTo(NOW);
    assertThat(parse("Retry-After", "2.000").retryAfter()).isEqualTo(NOW.plusSeconds(2));
    for (String bad : List.of("-5", "", "+5", "1e3", "soon", "5s", "1 2", "0x10", "120, 60")) {
      assertThat(parse("Retry-After", bad)).as(bad).isEqualTo(QuotaSignal.NONE);
    }
  }

  @Test
  void capsEveryTimeAtTheHorizon() {
    assertThat(parse("Retry-After", "99999999999999999999999999").retryAfter()).isEqualTo(HORIZON);
    assertThat(parse("Retry-After", "31622400").retryAfter()).isEqualTo(HORIZON); // 366 days
    assertThat(parse("Retry-After", "31622399").retryAfter()).isEqualTo(HORIZON.minusSeconds(1));
    assertThat(parse("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT").retryAfter())
        .isEqualTo(HORIZON);
    assertThat(parse("RateLimit-Reset", "999999999").reset()).isEqualTo(HORIZON);
    assertThat(parse("X-RateLimit-Reset", "99999999999999").reset()).isEqualTo(HORIZON);
    assertThat(parse("RateLimit", "\"d\";r=0;t=999999999999999").reset()).isEqualTo(HORIZON);
  }

  @Test
  void takesTheLatestOfRepeatedRetryAfters() {
    assertThat(parse("Retry-After", "5", "Retry-After", "30", "Retry-After", "x").retryAfter())
        .isEqualTo(NOW.plusSeconds(30));
  }

  @Test
  void readsTheEarlierDraftsFields() {
    QuotaSignal signal =
        parse(
            "RateLimit-Limit", "100, 100;w=60",
            "RateLimit-Remaining", "50",
            "RateLimit-Reset", "30");

    assertThat(signal)
        .isEqualTo(new QuotaSignal(null, 100, 50, NOW.plusSeconds(30), Duration.ofSeconds(60)));
  }

  @Test
  void pairsTheLimitWithItsOwnPolicyAmongSeveral() {
    QuotaSignal signal = parse("RateLimit-Limit", "10, 10;w=1, 50;w=60");

    assertThat(signal.limit()).isEqualTo(10);
    assertThat(signal.window()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void decidesBetweenDeltaAndEpochByMagnitude() {
    assertThat(parse("X-RateLimit-Reset", "60").reset()).isEqualTo(NOW.plusSeconds(60));
    assertThat(parse("X-RateLimit-Reset", "999999999").reset()).isEqualTo(HORIZON);
    assertThat(parse("X-RateLimit-Reset", "999999999.9999").reset())
        .as("the whole seconds decide, not the rounded-up milliseconds")
        .isEqualTo(HORIZON);
    Instant epoch = NOW.plusSeconds(90).truncatedTo(ChronoUnit.SECONDS);
    assertThat(parse("X-RateLimit-Reset", Long.toString(epoch.getEpochSecond())).reset())
        .isEqualTo(epoch);
    assertThat(parse("X-RateLimit-Reset", Long.toString(epoch.toEpochMilli() + 1)).reset())
        .isEqualTo(epoch.plusMillis(1));
    assertThat(parse("X-RateLimit-Reset", epoch.getEpochSecond() + ".5").reset())
        .isEqualTo(epoch.plusMillis(500));
    assertThat(parse("RateLimit-Reset", Long.toString(epoch.getEpochSecond())).reset())
        .isEqualTo(epoch);
  }

  @Test
  void readsDiscordsFractionalResetAfterBeforeItsReset() {
    QuotaSignal signal =
        parse(
            "X-RateLimit-Limit", "5",
            "X-RateLimit-Remaining", "0",
            "X-RateLimit-Reset", Long.toString(NOW.getEpochSecond() + 100),
            "X-RateLimit-Reset-After", "1.2345");

    assertThat(signal).isEqualTo(new QuotaSignal(null, 5, 0, NOW.plusMillis(1235), null));
  }

  @Test
  void readsTheCurrentDraftsStructuredFields() {
    QuotaSignal signal =
        parse(
            "RateLimit-Policy", "\"default\";q=100;w=60",
            "RateLimit", "\"default\";r=50;t=30");

    assertThat(signal)
        .isEqualTo(new QuotaSignal(null, 100, 50, NOW.plusSeconds(30), Duration.ofSeconds(60)));
  }

  @Test
  void holdsForAnyExhaustedPolicyAmongSeveral() {
    QuotaSignal signal =
        parse(
            "RateLimit-Policy", "\"burst\";q=100;w=60, \"daily\";q=1000;w=86400",
            "RateLimit", "\"burst\";r=0;t=30, \"daily\";r=900;t=3600");

    assertThat(signal)
        .isEqualTo(
            withOthers(
                new QuotaSignal(null, 100, 0, NOW.plusSeconds(30), Duration.ofSeconds(60)),
                new Quota(1000, Duration.ofDays(1), 900, NOW.plusSeconds(3600))));
    assertThat(signal.holdUntil()).isEqualTo(NOW.plusSeconds(30));
  }

  @Test
  void takesThePolicyWithTheFewestRemainingAmongSeveral() {
    QuotaSignal signal =
        parse(
            "RateLimit-Policy", "\"burst\";q=100;w=60",
            "RateLimit-Policy", "\"daily\";q=1000;w=86400",
            "RateLimit", "\"burst\";r=80;t=30",
            "RateLimit", "\"daily\";r=5;t=3600");

    assertThat(signal)
        .isEqualTo(
            withOthers(
                new QuotaSignal(null, 1000, 5, NOW.plusSeconds(3600), Duration.ofDays(1)),
                new Quota(100, Duration.ofSeconds(60), 80, NOW.plusSeconds(30))));
  }

  @Test
  void takesTheLaterResetAmongPoliciesExhaustedAlike() {
    QuotaSignal signal = parse("RateLimit", "a;r=0;t=30, b;r=0;t=600, c;r=0");

    assertThat(signal.holdUntil()).isEqualTo(NOW.plusSeconds(600));
  }

  @Test
  void acceptsTokensAsPolicyNames() {
    QuotaSignal signal =
        parse("RateLimit-Policy", "burst;q=10;w=1, daily;q=50;w=60", "RateLimit", "daily;r=0;t=9");

    assertThat(signal)
        .isEqualTo(
            withOthers(
                new QuotaSignal(null, 50, 0, NOW.plusSeconds(9), Duration.ofSeconds(60)),
                new Quota(10, Duration.ofSeconds(1), -1, null)));
  }

  @Test
  void readsTheEarlierDictionaryForm() {
    QuotaSignal signal =
        parse(
            "RateLimit-Policy", "100;w=60, 1000;w=3600",
            "RateLimit", "limit=100, remaining=50, reset=5");

    assertThat(signal)
        .isEqualTo(
            withOthers(
                new QuotaSignal(null, 100, 50, NOW.plusSeconds(5), Duration.ofSeconds(60)),
                new Quota(1000, Duration.ofHours(1), -1, null)));
  }

  @Test
  void withPoliciesAloneTakesTheLowestRate() {
    QuotaSignal signal =
        parse("RateLimit-Policy", "\"burst\";q=100;w=60, \"daily\";q=1000;w=86400");

    assertThat(signal)
        .isEqualTo(
            withOthers(
                new QuotaSignal(null, 1000, -1, null, Duration.ofDays(1)),
                new Quota(100, Duration.ofSeconds(60), -1, null)));
  }

  @Test
  void pairsAPolicyWithTheLimitAnotherFamilyAnnounces() {
    QuotaSignal signal =
        parse(
            "RateLimit-Policy", "10;w=1, 50;w=60",
            "RateLimit-Limit", "10",
            "RateLimit-Remaining", "3",
            "RateLimit-Reset", "1");

    assertThat(signal)
        .isEqualTo(
            withOthers(
                new QuotaSignal(null, 10, 3, NOW.plusSeconds(1), Duration.ofSeconds(1)),
                new Quota(50, Duration.ofSeconds(60), -1, null)));
  }

  @Test
  void prefersStructuredFieldsThenRateLimitThenXRateLimit() {
    QuotaSignal all =
        parse(
            "RateLimit-Policy", "\"p\";q=100;w=60",
            "RateLimit", "\"p\";r=1;t=10",
            "RateLimit-Limit", "200",
            "RateLimit-Remaining", "2",
            "RateLimit-Reset", "20",
            "X-RateLimit-Limit", "300",
            "X-RateLimit-Remaining", "3",
            "X-RateLimit-Reset", "30");
    assertThat(all)
        .isEqualTo(new QuotaSignal(null, 100, 1, NOW.plusSeconds(10), Duration.ofSeconds(60)));

    QuotaSignal noStructured =
        parse(
            "RateLimit-Limit", "200",
            "RateLimit-Remaining", "2",
            "X-RateLimit-Limit", "300",
            "X-RateLimit-Remaining", "3",
            "X-RateLimit-Reset", "30");
    assertThat(noStructured).isEqualTo(new QuotaSignal(null, 200, 2, NOW.plusSeconds(30), null));
  }

  @Test
  void ignoresAMalformedStructuredFieldWhole() {
    QuotaSignal signal =
        parse(
            "RateLimit", "\"p\";r=0;t=10,", // trailing comma
            "RateLimit-Remaining", "7");

    assertThat(signal).isEqualTo(new QuotaSignal(null, -1, 7, null, null));
  }

  @Test
  void takesTheSmallestOfRepeatedCountsAndTheLatestReset() {
    QuotaSignal signal =
        parse(
            "X-RateLimit-Limit", "100",
            "X-RateLimit-Limit", "60",
            "X-RateLimit-Remaining", "9",
            "X-RateLimit-Remaining", "4",
            "X-RateLimit-Remaining", "junk",
            "X-RateLimit-Reset", "10",
            "X-RateLimit-Reset", "40");

    assertThat(signal).isEqualTo(new QuotaSignal(null, 60, 4, NOW.plusSeconds(40), null));
  }

  @Test
  void readsCountsStrictlyAndSaturatesHugeOnes() {
    assertThat(parse("X-RateLimit-Remaining", " 12 ").remaining()).isEqualTo(12);
    assertThat(parse("X-RateLimit-Remaining", "99999999999999999999").remaining())
        .isEqualTo(Long.MAX_VALUE);
    for (String bad : List.of("-1", "+1", "1.0", "1e2", "", "many", "٣")) {
      assertThat(parse("X-RateLimit-Remaining", bad).remaining()).as(bad).isEqualTo(-1);
    }
  }

  @Test
  void saysNothingWithoutQuotaHeaders() {
    QuotaSignal signal = parse("Content-Type", "text/plain");

    assertThat(signal).isEqualTo(QuotaSignal.NONE);
    assertThat(signal.isEmpty()).isTrue();
    assertThat(signal.holdUntil()).isNull();
  }

  @Test
  void matchesNamesIgnoringCaseAndSkipsNullsInAMap() {
    Map<String, List<String>> headers = new HashMap<>();
    headers.put(null, List.of("1"));
    headers.put("RETRY-AFTER", null);
    List<String> lines = new ArrayList<>();
    lines.add(null);
    lines.add("0");
    headers.put("X-RateLimit-Remaining", lines);
    headers.put("x-ratelimit-reset", List.of("5"));

    assertThat(QuotaHeaders.parse(headers, NOW))
        .isEqualTo(new QuotaSignal(null, -1, 0, NOW.plusSeconds(5), null));
    Map<String, List<String>> caseless = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    caseless.put("Retry-After", List.of("3"));
    assertThat(QuotaHeaders.parse(caseless, NOW).retryAfter()).isEqualTo(NOW.plusSeconds(3));
  }

  @Test
  void keepsEveryTimeInRangeForAnyNow() {
    for (Instant now : List.of(Instant.MIN, Instant.EPOCH, Instant.MAX)) {
      QuotaSignal signal =
          parse(
              now,
              "Retry-After",
              "Sunday, 06-Nov-94 08:49:37 GMT",
              "X-RateLimit-Reset",
              "99999999999999999999",
              "RateLimit",
              "a;r=0;t=999999999999999");
      Instant last =
          now.isAfter(Instant.MAX.minus(QuotaHeaders.MAX_HORIZON))
              ? Instant.MAX
              : now.plus(QuotaHeaders.MAX_HORIZON);
      assertThat(signal.retryAfter()).isBetween(now, last);
      assertThat(signal.reset()).isEqualTo(last);
    }
  }
}
