package dev.batchfetch.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class OptionsTest {

  @Test
  void keepsTheDefaultsWhenNothingIsGiven() {
    assertThat(Options.parse()).isEqualTo(new Options(2500, Duration.ofMillis(5), 16, 64, 200));
  }

  @Test
  void readsEveryOptionInBothForms() {
    Options options =
        Options.parse(
            "--count", "50", "--delay-ms=0", "--threads", "4", "--in-flight=8", "--warm-up", "0");

    assertThat(options).isEqualTo(new Options(50, Duration.ZERO, 4, 8, 0));
  }

  @Test
  void rejectsAnUnknownOptionByName() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Options.parse("--cuont", "5"))
        .withMessageContaining("--cuont");
  }

  @Test
  void rejectsAnOptionWithoutItsValue() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Options.parse("--count"))
        .withMessageContaining("--count needs a value");
  }

  @Test
  void rejectsAValueThatIsNotANumber() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Options.parse("--threads", "many"))
        .withMessageContaining("--threads");
  }

  @Test
  void rejectsValuesOutOfRangeNamingThem() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Options.parse("--count", "0"))
        .withMessageContaining("count");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Options.parse("--delay-ms", "-1"))
        .withMessageContaining("delay");
  }
}
