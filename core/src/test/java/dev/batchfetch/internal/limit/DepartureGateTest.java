package dev.batchfetch.internal.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.RateLimit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The gate requests pass as they leave. */
class DepartureGateTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long T0 = 1_000_000 * MS;

  @Test
  void requestsLeavingAsPlannedNeverWait() {
    DepartureGate gate = new DepartureGate(RateLimit.perSecond(10), T0);

    for (int i = 0; i < 10; i++) {
      long ready = T0 + i * 100L * MS + 3 * MS; // planned 100 ms apart, all as late
      assertThat(gate.admit(ready)).isEqualTo(ready);
    }
  }

  @Test
  void aRequestLessLateThanTheOneBeforeWaitsWhatAStrictServerWouldAsk() {
    DepartureGate gate = new DepartureGate(RateLimit.perSecond(10), T0);

    assertThat(gate.admit(T0 + 7 * MS)).isEqualTo(T0 + 7 * MS); // 7 ms late
    // Planned 100 ms later and on time: 93 ms after the first, which a server without burst
    // refuses; it leaves 100 ms after the first.
    assertThat(gate.admit(T0 + 100 * MS)).isEqualTo(T0 + 107 * MS);
  }

  @Test
  void aBunchIsSpacedAgainAfterItsBurst() {
    DepartureGate gate = new DepartureGate(RateLimit.perSecond(10).withBurst(2), T0);

    List<Long> at = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      at.add((gate.admit(T0 + 1_000 * MS) - T0) / MS); // five held up until 1 s, ready together
    }

    // Two at once (a burst of 2 less half an interval), then the rate, half an interval early.
    assertThat(at).containsExactly(1_000L, 1_000L, 1_050L, 1_150L, 1_250L);
  }

  @Test
  void anUnlimitedGateLetsEverythingGo() {
    DepartureGate gate = new DepartureGate(RateLimit.unlimited(), T0);

    assertThat(gate.admit(T0)).isEqualTo(T0);
    assertThat(gate.admit(T0)).isEqualTo(T0);
  }
}
