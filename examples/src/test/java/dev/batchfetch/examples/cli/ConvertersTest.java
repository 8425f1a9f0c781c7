package dev.batchfetch.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchfetch.HostLimits;
import dev.batchfetch.RateLimit;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

@Timeout(10)
class ConvertersTest {

  @Test
  void readsARateInEachUnit() {
    assertThat(Converters.rate("50/s")).isEqualTo(RateLimit.perSecond(50));
    assertThat(Converters.rate("300/min")).isEqualTo(RateLimit.perMinute(300));
    assertThat(Converters.rate("5000/h")).isEqualTo(RateLimit.perHour(5000));
    assertThat(Converters.rate("2/second")).isEqualTo(RateLimit.perSecond(2));
    assertThat(Converters.rate("2/MINUTE")).isEqualTo(RateLimit.perMinute(2));
    assertThat(Converters.rate("2/hour")).isEqualTo(RateLimit.perHour(2));
    assertThat(Converters.rate("unlimited")).isEqualTo(RateLimit.unlimited());
  }

  @Test
  void readsABurstAfterAPlus() {
    assertThat(Converters.rate("50/s+10")).isEqualTo(RateLimit.perSecond(50).withBurst(10));
    assertThat(Converters.rate("5/s+19")).isEqualTo(RateLimit.perSecond(5).withBurst(19));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "50", "50/", "/s", "50/week", "50/s+", "fifty/s", "-5/s", "50 / s"})
  void rejectsWhatIsNotARate(String text) {
    assertThatThrownBy(() -> Converters.rate(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("is not a rate");
  }

  @Test
  void reportsARateOutOfRangeAsAConversionError() {
    assertThatThrownBy(() -> new Converters.Rate().convert("0/min"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'0/min': permits must be at least 1, was 0");
  }

  @Test
  void readsDurationsWithASecondForABareNumber() {
    assertThat(Converters.duration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Converters.duration("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Converters.duration("10")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Converters.duration("2min")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Converters.duration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Converters.duration("0")).isEqualTo(Duration.ZERO);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "s", "1.5s", "-1s", "10m", "ten"})
  void rejectsWhatIsNotADuration(String text) {
    assertThatThrownBy(() -> Converters.duration(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("is not a duration");
  }

  @Test
  void readsAHostsRateAndItsCapOnCallsAtOnce() {
    assertThat(Converters.host("api.example.com=10/s,4"))
        .isEqualTo(
            new Converters.HostOverride(
                "api.example.com", HostLimits.of(RateLimit.perSecond(10), 4)));
    assertThat(Converters.host("api.example.com:8443=50/s+5"))
        .isEqualTo(
            new Converters.HostOverride(
                "api.example.com:8443", HostLimits.of(RateLimit.perSecond(50).withBurst(5))));
    assertThat(Converters.host("cdn.example.com=unlimited,2"))
        .isEqualTo(
            new Converters.HostOverride(
                "cdn.example.com", HostLimits.of(RateLimit.unlimited(), 2)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"api.example.com", "=10/s", "api.example.com=", "a=10/s,", "a=10/s,x"})
  void rejectsWhatIsNotAHostsLimits(String text) {
    assertThatThrownBy(() -> Converters.host(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("is not a host's limits");
  }

  @Test
  void readsAHeaderWithoutTheBlanksAroundItsValue() {
    assertThat(Converters.header("Accept:  text/plain "))
        .isEqualTo(new Converters.Header("Accept", "text/plain"));
    assertThat(Converters.header("X-Empty:")).isEqualTo(new Converters.Header("X-Empty", ""));
    assertThat(Converters.header("X-Time: 10:30"))
        .isEqualTo(new Converters.Header("X-Time", "10:30"));
    assertThatThrownBy(() -> Converters.header(": value"))
        .isInstanceOf(TypeConversionException.class);
  }

  @Test
  void readsCountsFromTheirMinimumOn() {
    assertThat(new Converters.Positive().convert("1")).isEqualTo(1);
    assertThat(new Converters.NonNegative().convert("0")).isZero();
    assertThatThrownBy(() -> new Converters.Positive().convert("0"))
        .hasMessage("'0': must be at least 1");
    assertThatThrownBy(() -> new Converters.Positive().convert("99999999999"))
        .hasMessage("'99999999999' is not a whole number");
  }
}
