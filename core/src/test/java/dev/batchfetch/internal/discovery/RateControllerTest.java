package dev.batchfetch.internal.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.batchfetch.internal.quota.QuotaSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The controller's rules one by one, on a clock the test moves by hand. */
@Timeout(10)
class RateControllerTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  private final RateController controller =
      new RateController(Double.POSITIVE_INFINITY, Duration.ofMinutes(5));

  private void hear(long sent, long answered, int status, QuotaSignal signal) {
    controller.onOutcome(Outcome.of(sent, answered, status, signal, EPOCH.plusNanos(answered)));
  }

  private void hear(long sent, long answered, int status) {
    hear(sent, answered, status, QuotaSignal.NONE);
  }

  @Test
  void isUnlimitedUntilTheFirstSignAndStartsSlow() {
    for (int i = 0; i < 50; i++) {
      hear(i * MS, 500 * MS + i * MS, 200);
    }

    assertThat(controller.rate()).isInfinite();
    assertThat(controller.isPaced()).isFalse();
    assertThat(controller.window(256)).as("8, and one more per accepted answer").isEqualTo(58);
    assertThat(controller.hasPause()).isFalse();
  }

  @Test
  void aFirst429SetsTheRateTheServerAcceptedAndLateAnswersRaiseIt() {
    // 20 of a burst sent at 0 were accepted; the first answer to come back is a 429.
    hear(0, 500 * MS, 429);
    assertThat(controller.rate())
        .as("nothing accepted yet: one call per span of a second, not a rate of zero")
        .isCloseTo(1 - RateController.MARGIN, within(1e-9));
    for (int i = 0; i < 20; i++) {
      hear(0, 501 * MS, 200);
    }

    assertThat(controller.rate()).isCloseTo(20 * (1 - RateController.MARGIN), within(1e-9));
    assertThat(controller.window(256)).as("paced: the rate, not a window, limits").isEqualTo(256);
  }

  @Test
  void decreasesAtMostOncePerWindowWhateverTheNumberOf429sInFlight() {
    hear(0, 500 * MS, 429);
    for (int i = 0; i < 20; i++) {
      hear(0, 501 * MS, 200);
    }
    double first = controller.rate();
    // 200 more 429s for calls of the same burst, and for calls sent before the decrease.
    for (int i = 0; i < 200; i++) {
      hear(i * MS, 600 * MS + i * MS, 429);
    }

    assertThat(controller.rate()).isEqualTo(first);
  }

  @Test
  void aLater429SetsTheRateFromWhatWasAcceptedOverTheWindowNotByMultiplying() {
    hear(0, 500 * MS, 429);
    for (int i = 0; i < 20; i++) {
      hear(0, 501 * MS, 200);
    }
    // Paced at 19.4/s for 1.8 s; the server accepted every other call and refused the rest.
    long t = 600 * MS;
    for (int i = 0; i < 35; i++, t += 51_500_000L) {
      hear(t, t + 500 * MS, i % 2 == 0 ? 200 : 429);
    }

    assertThat(controller.rate()).isBetween(9.0, 10.0);
  }

  @Test
  void retryAfterPausesTheLongestWinsAndTheCapHolds() {
    RateController capped = new RateController(Double.POSITIVE_INFINITY, Duration.ofSeconds(10));
    Instant at = EPOCH.plusSeconds(1);
    capped.onOutcome(
        Outcome.of(0, S, 429, new QuotaSignal(at.plusSeconds(5), -1, -1, null, null), at));
    capped.onOutcome(
        Outcome.of(0, S, 429, new QuotaSignal(at.plusSeconds(2), -1, -1, null, null), at));
    assertThat(capped.pausedUntil()).isEqualTo(6 * S);

    capped.onOutcome(
        Outcome.of(0, S, 503, new QuotaSignal(at.plusSeconds(3600), -1, -1, null, null), at));
    assertThat(capped.pausedUntil()).as("capped at 10 s").isEqualTo(11 * S);
  }

  @Test
  void a503WithoutRetryAfterIsNoSignOfAQuota() {
    hear(0, 500 * MS, 503);
    hear(0, 500 * MS, 500);

    assertThat(controller.isPaced()).isFalse();
    assertThat(controller.rate()).isInfinite();
  }

  @Test
  void quotaHeadersSeedTheRateExactlyFromTheSlowestPolicy() {
    Instant at = EPOCH.plusNanos(500 * MS);
    QuotaSignal signal =
        dev.batchfetch.internal.quota.QuotaHeaders.parse(
            Map.of(
                "RateLimit-Policy",
                List.of("\"burst\";q=100;w=10, \"daily\";q=86400;w=86400"),
                "RateLimit",
                List.of("\"burst\";r=90;t=9")),
            at);
    hear(0, 500 * MS, 200, signal);

    assertThat(controller.rate()).as("1/s a day binds, not 10/s").isEqualTo(1.0);
    assertThat(controller.isPaced()).isTrue();
  }

  @Test
  void spreadsWhatRemainsOverTheTimeToReset() {
    Instant at = EPOCH.plusNanos(500 * MS);
    hear(0, 500 * MS, 200, new QuotaSignal(null, 5000, 100, at.plusSeconds(1000), null));

    assertThat(controller.rate()).isCloseTo(0.1, within(1e-9));
  }

  @Test
  void anExhaustedQuotaPausesUntilItsReset() {
    Instant at = EPOCH.plusNanos(500 * MS);
    hear(0, 500 * MS, 200, new QuotaSignal(null, 60, 0, at.plusSeconds(30), null));

    assertThat(controller.hasPause()).isTrue();
    assertThat(controller.pausedUntil()).isEqualTo(30_500 * MS);
  }

  @Test
  void neverExceedsTheCeilingButGoesBelowItWhenTheServerSays() {
    RateController ceiling = new RateController(10, Duration.ofMinutes(5));
    assertThat(ceiling.rate()).isEqualTo(10);
    Instant at = EPOCH.plusNanos(500 * MS);
    ceiling.onOutcome(
        Outcome.of(
            0, 500 * MS, 200, new QuotaSignal(null, 100, -1, null, Duration.ofSeconds(1)), at));
    assertThat(ceiling.rate()).as("headers allow 100/s; the ceiling is 10").isEqualTo(10);

    ceiling.onOutcome(
        Outcome.of(
            0, 500 * MS, 200, new QuotaSignal(null, 5, -1, null, Duration.ofSeconds(1)), at));
    assertThat(ceiling.rate()).isEqualTo(5);
  }

  @Test
  void checksItsArguments() {
    assertThatThrownBy(() -> new RateController(0, Duration.ZERO)).hasMessageContaining("ceiling");
    assertThatThrownBy(() -> new RateController(1, Duration.ofSeconds(-1)))
        .hasMessageContaining("maxPause");
    assertThatThrownBy(() -> Outcome.of(5, 4, 200, QuotaSignal.NONE, EPOCH))
        .hasMessageContaining("answeredNanos");
  }
}
