package dev.batchfetch.internal.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.internal.quota.QuotaSignal.Quota;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The vendors' dialects and the latest IETF draft, from the examples of their documentation: the
 * OpenAI and Anthropic rate-limit guides, X's API v2 rate limits, Shopify's REST Admin API limits,
 * draft-ietf-httpapi-ratelimit-headers-11 §3.2 and §4.2.
 */
@Timeout(10)
class VendorFieldsTest {
  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00.250Z");

  private static QuotaSignal parse(String... namesAndValues) {
    Headers headers = Headers.of(namesAndValues);
    QuotaSignal signal = QuotaHeaders.parse(headers, NOW);
    assertThat(QuotaHeaders.parse(headers.toMultimap(), NOW)).isEqualTo(signal);
    return signal;
  }

  @Test
  void readsOpenAisRequestFieldsAndDerivesTheWindowFromTheTimeToFull() {
    // The guide's sample: 60 requests, 59 left, back to its initial state in 1 s: 60 a minute.
    QuotaSignal signal =
        parse(
            "x-ratelimit-limit-requests", "60",
            "x-ratelimit-limit-tokens", "150000",
            "x-ratelimit-remaining-requests", "59",
            "x-ratelimit-remaining-tokens", "149984",
            "x-ratelimit-reset-requests", "1s",
            "x-ratelimit-reset-tokens", "6m0s");

    assertThat(signal).isEqualTo(new QuotaSignal(null, 60, 59, null, Duration.ofMinutes(1)));
  }

  @Test
  void readsOpenAisMillisecondResetAndHoldsOnlyUntilOneRequestIsBack() {
    assertThat(
            parse(
                    "x-ratelimit-limit-requests", "5000",
                    "x-ratelimit-remaining-requests", "4999",
                    "x-ratelimit-reset-requests", "12ms")
                .window())
        .isEqualTo(Duration.ofMinutes(1));

    QuotaSignal exhausted =
        parse(
            "x-ratelimit-limit-requests", "60",
            "x-ratelimit-remaining-requests", "0",
            "x-ratelimit-reset-requests", "1m0s",
            "retry-after", "1");
    assertThat(exhausted)
        .isEqualTo(
            new QuotaSignal(NOW.plusSeconds(1), 60, 0, NOW.plusSeconds(1), Duration.ofMinutes(1)));
    assertThat(exhausted.holdUntil()).isEqualTo(NOW.plusSeconds(1));
  }

  @Test
  void readsGoDurations() {
    assertThat(VendorFields.goDurationMillis("6m0s")).isEqualTo(360_000);
    assertThat(VendorFields.goDurationMillis("1s")).isEqualTo(1_000);
    assertThat(VendorFields.goDurationMillis("12ms")).isEqualTo(12);
    assertThat(VendorFields.goDurationMillis("1h2m3.5s")).isEqualTo(3_723_500);
    assertThat(VendorFields.goDurationMillis("0s")).isEqualTo(0);
    assertThat(VendorFields.goDurationMillis("1.5\u00b5s")).as("rounded up").isEqualTo(1);
    assertThat(VendorFields.goDurationMillis("100ns")).isEqualTo(1);
    assertThat(VendorFields.goDurationMillis(" 2s ")).isEqualTo(2_000);
    assertThat(VendorFields.goDurationMillis("99999999999999999999h")).isEqualTo(Long.MAX_VALUE);
    for (String bad :
        List.of("", "5", "s", "-1s", "1x", "1.2.3s", "1e3s", "\u0663s", "1 s", "1sm", "ms")) {
      assertThat(VendorFields.goDurationMillis(bad)).as(bad).isEqualTo(-1);
    }
  }

  @Test
  void readsAnthropicsRequestFieldsWithRfc3339Times() {
    // 50 a minute, 49 left, full again in 1.2 s.
    QuotaSignal signal =
        parse(
            "anthropic-ratelimit-requests-limit", "50",
            "anthropic-ratelimit-requests-remaining", "49",
            "anthropic-ratelimit-requests-reset", "2025-06-01T12:00:01.450Z",
            "anthropic-ratelimit-tokens-limit", "40000",
            "anthropic-ratelimit-tokens-remaining", "39000",
            "anthropic-ratelimit-tokens-reset", "2025-06-01T12:00:02Z");

    assertThat(signal).isEqualTo(new QuotaSignal(null, 50, 49, null, Duration.ofMinutes(1)));

    QuotaSignal exhausted =
        parse(
            "anthropic-ratelimit-requests-limit", "50",
            "anthropic-ratelimit-requests-remaining", "0",
            "anthropic-ratelimit-requests-reset", "2025-06-01T14:01:00.250+02:00",
            "retry-after", "2");
    assertThat(exhausted.window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(exhausted.reset()).isEqualTo(NOW.plusMillis(1_200));
    assertThat(exhausted.holdUntil()).isEqualTo(NOW.plusSeconds(2));
  }

  @Test
  void readsRfc3339InItsAllowedSpellingsOnly() {
    Instant t = Instant.parse("2025-06-01T12:00:30Z");
    for (String ok :
        List.of(
            "2025-06-01T12:00:30Z",
            "2025-06-01t12:00:30z",
            "2025-06-01 12:00:30+00:00",
            "2025-06-01T14:00:30+02:00",
            "2025-06-01T12:00:30.000Z")) {
      assertThat(VendorFields.rfc3339(ok)).as(ok).isEqualTo(t);
    }
    for (String bad :
        List.of("2025-06-01", "12:00:30", "2025-13-01T00:00:00Z", "1748779230", "", "\u0000")) {
      assertThat(VendorFields.rfc3339(bad)).as(bad).isNull();
    }
  }

  @Test
  void readsXsFieldsAsAnEpochReset() {
    Instant reset = NOW.plusSeconds(900).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    QuotaSignal signal =
        parse(
            "x-rate-limit-limit", "900",
            "x-rate-limit-remaining", "847",
            "x-rate-limit-reset", Long.toString(reset.getEpochSecond()));

    assertThat(signal).isEqualTo(new QuotaSignal(null, 900, 847, reset, null));
  }

  @Test
  void readsShopifysBucketAsFortyPerTwentySeconds() {
    assertThat(parse("X-Shopify-Shop-Api-Call-Limit", "32/40"))
        .isEqualTo(new QuotaSignal(null, 40, 8, null, Duration.ofSeconds(20)));
    assertThat(parse("X-Shopify-Shop-Api-Call-Limit", "40/40", "Retry-After", "2.0"))
        .as("full: one call drains in 0.5 s; the 429's Retry-After holds longer")
        .isEqualTo(
            new QuotaSignal(
                NOW.plusSeconds(2), 40, 0, NOW.plusMillis(500), Duration.ofSeconds(20)));
    assertThat(parse("X-Shopify-Shop-Api-Call-Limit", "2/80").window())
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(parse("X-Shopify-Shop-Api-Call-Limit", "41/40").remaining()).isZero();
    for (String bad : List.of("32", "a/40", "32/0", "32/-40", "/40", "32/", "3 2/40")) {
      assertThat(parse("X-Shopify-Shop-Api-Call-Limit", bad)).as(bad).isEqualTo(QuotaSignal.NONE);
    }
  }

  @Test
  void readsThePartitionKeyOfTheLatestDraft() {
    QuotaSignal policy = parse("RateLimit-Policy", "\"peruser\";q=100;w=60;pk=:cHsdsRa894==:");
    assertThat(policy.partition()).isEqualTo("cHsdsRa894==");
    assertThat(policy.limit()).isEqualTo(100);

    QuotaSignal state = parse("RateLimit", "\"default\";r=999;pk=:dHJpYWwxMjEzMjM=:");
    assertThat(state)
        .isEqualTo(
            new QuotaSignal(
                null,
                -1,
                999,
                null,
                null,
                List.of(new Quota(-1, null, 999, null)),
                "dHJpYWwxMjEzMjM="));
  }

  @Test
  void leavesOutQuotasCountedInOtherUnitsThanRequests() {
    QuotaSignal signal =
        parse(
            "RateLimit-Policy",
            "\"peruser\";q=65535;qu=\"content-bytes\";w=10;pk=:sdfjLJUOUH==:,"
                + " \"permin\";q=50;w=60, \"conc\";q=4;qu=\"concurrent-requests\"",
            "RateLimit",
            "\"peruser\";r=0;t=10, \"permin\";r=20;t=30");

    assertThat(signal)
        .isEqualTo(new QuotaSignal(null, 50, 20, NOW.plusSeconds(30), Duration.ofSeconds(60)));
    assertThat(signal.holdUntil()).as("the byte quota's r=0 holds nothing").isNull();
    assertThat(parse("RateLimit-Policy", "\"p\";q=5;qu=\"requests\";w=1").limit()).isEqualTo(5);
    assertThat(parse("RateLimit-Policy", "\"p\";q=5;qu=7;w=1").limit())
        .as("a qu that is not a String is ignored, leaving requests")
        .isEqualTo(5);
  }

  @Test
  void listsEveryPolicyOfTheLatestDraftWithItsOwnState() {
    QuotaSignal signal =
        parse(
            "RateLimit-Policy", "\"permin\";q=50;w=60,\"perhr\";q=1000;w=3600",
            "RateLimit", "\"perhr\";r=400;t=1800, \"permin\";r=30;t=20");

    assertThat(signal.quotas())
        .containsExactly(
            new Quota(50, Duration.ofSeconds(60), 30, NOW.plusSeconds(20)),
            new Quota(1000, Duration.ofHours(1), 400, NOW.plusSeconds(1800)));
  }
}
