package dev.batchfetch.internal.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** When a signal says to hold, and what it refuses to hold. */
@Timeout(10)
class QuotaSignalTest {
  private static final Instant T = Instant.parse("2025-06-01T12:00:00Z");

  @Test
  void holdsUntilRetryAfter() {
    assertThat(new QuotaSignal(T, 100, 5, T.plusSeconds(60), null).holdUntil()).isEqualTo(T);
  }

  @Test
  void holdsUntilTheResetOnlyWhenNothingRemains() {
    assertThat(new QuotaSignal(null, 100, 0, T, null).holdUntil()).isEqualTo(T);
    assertThat(new QuotaSignal(null, 100, 1, T, null).holdUntil()).isNull();
    assertThat(new QuotaSignal(null, 100, -1, T, null).holdUntil()).isNull();
    assertThat(new QuotaSignal(null, 100, 0, null, null).holdUntil())
        .as("exhausted, but no word on when it refills")
        .isNull();
  }

  @Test
  void holdsUntilTheLaterOfRetryAfterAndAnExhaustedReset() {
    Instant later = T.plusSeconds(30);
    assertThat(new QuotaSignal(T, -1, 0, later, null).holdUntil()).isEqualTo(later);
    assertThat(new QuotaSignal(later, -1, 0, T, null).holdUntil()).isEqualTo(later);
  }

  @Test
  void isEmptyOnlyWhenItSaysNothing() {
    assertThat(QuotaSignal.NONE.isEmpty()).isTrue();
    assertThat(new QuotaSignal(null, -1, -1, null, null).isEmpty()).isTrue();
    assertThat(new QuotaSignal(null, 0, -1, null, null).isEmpty()).isFalse();
    assertThat(new QuotaSignal(null, -1, -1, null, Duration.ofSeconds(1)).isEmpty()).isFalse();
  }

  @Test
  void rejectsPartsNoParseProduces() {
    assertThatThrownBy(() -> new QuotaSignal(null, -2, -1, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
    assertThatThrownBy(() -> new QuotaSignal(null, -1, -2, null, null))
        .hasMessageContaining("remaining");
    assertThatThrownBy(() -> new QuotaSignal(null, -1, -1, null, Duration.ZERO))
        .hasMessageContaining("window");
    assertThatThrownBy(() -> new QuotaSignal(null, -1, -1, null, Duration.ofSeconds(-1)))
        .hasMessageContaining("window");
  }
}
