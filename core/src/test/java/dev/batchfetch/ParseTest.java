package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Limits as configuration writes them: {@code RateLimit.parse}, {@code HostLimits.parse}. */
@Timeout(10)
class ParseTest {

  @Test
  void readsARateInEachUnit() {
    assertThat(RateLimit.parse("50/s")).isEqualTo(RateLimit.perSecond(50));
    assertThat(RateLimit.parse("300/min")).isEqualTo(RateLimit.perMinute(300));
    assertThat(RateLimit.parse("5000/h")).isEqualTo(RateLimit.perHour(5000));
    assertThat(RateLimit.parse("10000/day")).isEqualTo(RateLimit.of(10_000, Duration.ofDays(1)));
    assertThat(RateLimit.parse("2/second")).isEqualTo(RateLimit.perSecond(2));
    assertThat(RateLimit.parse(" 2/MINUTE ")).isEqualTo(RateLimit.perMinute(2));
    assertThat(RateLimit.parse("2/hour")).isEqualTo(RateLimit.perHour(2));
    assertThat(RateLimit.parse("7/d")).isEqualTo(RateLimit.of(7, Duration.ofDays(1)));
    assertThat(RateLimit.parse("Unlimited")).isEqualTo(RateLimit.unlimited());
  }

  @Test
  void readsABurstAfterAPlus() {
    assertThat(RateLimit.parse("50/s+10")).isEqualTo(RateLimit.perSecond(50).withBurst(10));
    assertThat(RateLimit.parse("300/min+0")).isEqualTo(RateLimit.perMinute(300));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "50", "50/", "/s", "50/week", "50/s+", "fifty/s", "-5/s", "50 / s", "1e3/s"})
  void rejectsWhatIsNotARateQuotingIt(String text) {
    assertThatThrownBy(() -> RateLimit.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'" + text + "' is not a rate: expected N/s, N/min, N/h or N/d");
  }

  @Test
  void rejectsARateOutOfRangeAsTheConstructorDoes() {
    assertThatThrownBy(() -> RateLimit.parse("0/min"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be at least 1, was 0");
    assertThatThrownBy(() -> RateLimit.parse("999999999999999999/s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1 ns between permits");
    assertThatThrownBy(() -> RateLimit.parse(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("text");
  }

  @Test
  void readsAHostsRateAndItsCapOnCallsAtOnce() {
    assertThat(HostLimits.parse("10/s,4")).isEqualTo(HostLimits.of(RateLimit.perSecond(10), 4));
    assertThat(HostLimits.parse("50/s+5"))
        .isEqualTo(HostLimits.of(RateLimit.perSecond(50).withBurst(5)));
    assertThat(HostLimits.parse("unlimited, 2")).isEqualTo(HostLimits.of(RateLimit.unlimited(), 2));
  }

  @ParameterizedTest
  @ValueSource(strings = {"10/s,", "10/s,x", "10/s,-1", "10/s,4,5"})
  void rejectsWhatIsNotAHostsLimits(String text) {
    assertThatThrownBy(() -> HostLimits.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'" + text + "' is not a host's limits");
  }

  @Test
  void rejectsAHostsLimitsWithABadRateOrCap() {
    assertThatThrownBy(() -> HostLimits.parse("ten/s,4"))
        .hasMessageStartingWith("'ten/s' is not a rate");
    assertThatThrownBy(() -> HostLimits.parse("10/s,0"))
        .hasMessage("maxConcurrent must be at least 1, was 0");
  }

  @Test
  void theVersionIsMavensOrDev() {
    assertThat(Version.VERSION).isNotBlank().doesNotStartWith("${");
    try (BatchFetcher fetcher = BatchFetcher.sequential()) {
      assertThat(fetcher.toString()).isNotNull();
    }
  }
}
