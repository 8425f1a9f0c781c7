package dev.batchfetch.internal.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.testing.QuotaModel;
import dev.batchfetch.testing.QuotaModel.FixedWindow;
import dev.batchfetch.testing.QuotaModel.Nginx;
import dev.batchfetch.testing.QuotaModel.TokenBucket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Quota discovery against simulated servers, 60 s of virtual time each, beside two published
 * designs: AIMD on concurrency and a multiplicative cut on every 429. The figures of every run are
 * printed as a Markdown table ({@code docs/discovery-design.md} has them); the assertions hold the
 * criteria of issue 11 where the design meets them, and say so where it does not yet.
 */
@Timeout(120)
class DiscoverySimulationTest {
  private static final long S = Simulation.S;

  private static Pacer discovery() {
    return Pacer.discovery(Double.POSITIVE_INFINITY);
  }

  static List<QuotaModel> servers() {
    return List.of(
        new TokenBucket(10, 20, false, false),
        new TokenBucket(10, 20, false, true),
        new TokenBucket(10, 20, true, true),
        new TokenBucket(100, 50, false, false),
        new Nginx(10, 5, false),
        new Nginx(10, 5, true),
        new Nginx(10, 0, false),
        new Nginx(10, 0, true),
        new FixedWindow(30, 3, false, false),
        new FixedWindow(30, 3, false, true),
        new FixedWindow(30, 3, true, true),
        new FixedWindow(600, 60, true, true));
  }

  @Test
  void printsTheFiguresOfEveryServerWidthAndPacer() {
    List<String> rows = new ArrayList<>();
    for (Supplier<Pacer> pacer :
        List.<Supplier<Pacer>>of(
            DiscoverySimulationTest::discovery,
            () -> Pacer.discovery(Double.POSITIVE_INFINITY, false),
            Pacer::aimdConcurrency,
            Pacer::multiplicativeCut)) {
      for (int width : new int[] {256, 16, 1}) {
        for (QuotaModel server : servers()) {
          rows.add(Simulation.run(server, pacer, width).row());
        }
      }
    }
    Figures exact = Simulation.run(new Nginx(10, 0, false), () -> Pacer.discovery(10), 256);
    rows.add(exact.row().replace("| discovery |", "| discovery, ceiling 10/s |"));
    System.out.println(Figures.header());
    rows.forEach(System.out::println);
    String trace = System.getProperty("batchfetch.trace");
    if (trace != null) {
      for (QuotaModel server : servers()) {
        if (server.toString().equals(trace)) {
          Simulation run =
              new Simulation(
                  server,
                  discovery(),
                  256,
                  Simulation.Network.DEFAULT,
                  60 * S,
                  60 * S,
                  Simulation.SEED);
          run.run();
          System.out.println(server + ": " + run.trace());
        }
      }
      if (trace.equals("ceiling")) {
        Simulation run =
            new Simulation(
                new Nginx(10, 0, false),
                Pacer.discovery(10),
                256,
                Simulation.Network.DEFAULT,
                60 * S,
                60 * S,
                1);
        run.run();
        System.out.println("ceiling: " + run.trace());
      }
    }
    assertThat(rows).hasSize(4 * 3 * servers().size() + 1);
  }

  @Test
  void settlesAtATokenBucketsRateWithFewRefusals() {
    for (int width : new int[] {256, 16}) {
      for (QuotaModel server :
          List.of(new TokenBucket(10, 20, false, false), new TokenBucket(100, 50, false, false))) {
        for (Figures f : Simulation.runSeeds(server, DiscoverySimulationTest::discovery, width)) {
          assertThat(f.throughput()).as(f.row()).isGreaterThanOrEqualTo(0.95);
          assertThat(f.failed()).as(f.row()).isZero();
          if (server.quota() == 10) {
            assertThat(f.throttledAfter5s()).as(f.row()).isLessThanOrEqualTo(0.01);
            if (width == 256) { // the criterion; pool(16) reads 9.4-11.8 at 5 s
              assertThat(f.rateAt5sWithin(0.10)).as(f.row()).isTrue();
            }
          } else {
            // Seeds 2 and 4 double the search past 100/s near 3 s, and the bucket of 50 hides it
            // for two more: 1.2-1.8% refused after 5 s, 120/s at 5 s (docs/discovery-design.md).
            assertThat(f.throttledAfter5s()).as(f.row()).isLessThanOrEqualTo(0.02);
          }
        }
      }
    }
  }

  @Test
  void learnsAnNginxBucketWithBurst() {
    for (int width : new int[] {256, 16}) {
      for (Figures f :
          Simulation.runSeeds(new Nginx(10, 5, false), DiscoverySimulationTest::discovery, width)) {
        assertThat(f.throughput()).as(f.row()).isGreaterThanOrEqualTo(0.95);
        assertThat(f.throttledAfter5s()).as(f.row()).isLessThanOrEqualTo(0.01);
        assertThat(f.throttled()).as(f.row()).isLessThanOrEqualTo(0.03);
        assertThat(f.failed()).as(f.row()).isZero();
      }
    }
  }

  /**
   * Not yet the 95% (docs/discovery-design.md): a bucket with no burst accepts about half
   * of a rate just over its own, and a constant Retry-After of 1 s pauses a whole second for each
   * failed probe. Guards what it reaches.
   */
  @Test
  void learnsNginxWithoutBurstOrWithAConstantRetryAfterWithinLimits() {
    for (int width : new int[] {256, 16}) {
      for (QuotaModel server :
          List.of(new Nginx(10, 0, false), new Nginx(10, 0, true), new Nginx(10, 5, true))) {
        for (Figures f : Simulation.runSeeds(server, DiscoverySimulationTest::discovery, width)) {
          assertThat(f.throughput()).as(f.row()).isGreaterThanOrEqualTo(0.85);
          assertThat(f.throttledAfter5s()).as(f.row()).isLessThanOrEqualTo(0.015);
          assertThat(f.throttled()).as(f.row()).isLessThanOrEqualTo(0.03);
          assertThat(f.failed()).as(f.row()).isZero();
        }
      }
    }
  }

  /**
   * Not yet the figures (docs/discovery-design.md): a window of 3 s cannot be measured in
   * less than one, and a refusal that says nothing else leaves the controller to measure over spans
   * that cut windows. Guards what it reaches: no collapse, few refusals once settled.
   */
  @Test
  void learnsAFixedWindowWithoutHeadersWithinLimits() {
    for (int width : new int[] {256, 16}) {
      for (QuotaModel server :
          List.of(new FixedWindow(30, 3, false, false), new FixedWindow(30, 3, false, true))) {
        for (Figures f : Simulation.runSeeds(server, DiscoverySimulationTest::discovery, width)) {
          assertThat(f.throughput()).as(f.row()).isGreaterThanOrEqualTo(0.85);
          assertThat(f.throttledAfter5s()).as(f.row()).isLessThanOrEqualTo(0.10);
          assertThat(f.failed()).as(f.row()).isZero();
        }
      }
    }
  }

  @Test
  void withQuotaHeadersDrawsNoRefusalOnceTheyArrive() {
    for (int width : new int[] {256, 16, 1}) {
      for (QuotaModel server :
          List.of(
              new TokenBucket(10, 20, true, true),
              new FixedWindow(30, 3, true, true),
              new FixedWindow(600, 60, true, true))) {
        for (Figures f : Simulation.runSeeds(server, DiscoverySimulationTest::discovery, width)) {
          assertThat(f.throttledAfterHeaders()).as(f.row()).isZero();
          assertThat(f.failed()).as(f.row()).isZero();
        }
      }
    }
    for (Figures bucket :
        Simulation.runSeeds(
            new TokenBucket(10, 20, true, true), DiscoverySimulationTest::discovery, 256)) {
      assertThat(bucket.throughput()).as(bucket.row()).isGreaterThanOrEqualTo(0.95);
      assertThat(bucket.throttled()).as(bucket.row()).isZero();
      assertThat(bucket.rateAt5sWithin(0.10)).as(bucket.row()).isTrue();
    }
  }

  @Test
  void aSequentialClientBelowTheQuotaIsNeverSlowed() {
    for (QuotaModel server : servers()) {
      for (Figures f : Simulation.runSeeds(server, DiscoverySimulationTest::discovery, 1)) {
        assertThat(f.throughput()).as(f.row()).isGreaterThanOrEqualTo(0.99);
        assertThat(f.throttled()).as(f.row()).isZero();
      }
    }
  }

  @Test
  void configuredExactlyAtANoBurstQuotaJitterStopsDrawingRefusals() {
    for (Figures f : Simulation.runSeeds(new Nginx(10, 0, false), () -> Pacer.discovery(10), 256)) {
      // Not the 95%: with up to 5 ms of arrival jitter no call may be sent closer than
      // 105 ms to the one before, which is 95% of 10/s, and the controller stays a little below.
      assertThat(f.throughput()).as(f.row()).isGreaterThanOrEqualTo(0.90);
      assertThat(f.throttledAfter5s()).as(f.row()).isLessThanOrEqualTo(0.015);
    }
  }

  /** Why the design is what it is: each baseline fails a criterion discovery meets. */
  @Test
  void beatsAimdOnConcurrencyAndAMultiplicativeCut() {
    for (QuotaModel server :
        List.of(
            new TokenBucket(10, 20, false, false),
            new TokenBucket(100, 50, false, false),
            new Nginx(10, 5, false))) {
      Figures ours = Simulation.run(server, DiscoverySimulationTest::discovery, 256);
      Figures aimd = Simulation.run(server, Pacer::aimdConcurrency, 256);
      Figures cut = Simulation.run(server, Pacer::multiplicativeCut, 256);

      assertThat(aimd.throttledAfter5s()).as(aimd.row()).isGreaterThan(0.05);
      assertThat(ours.throttledAfter5s()).as(ours.row()).isLessThan(aimd.throttledAfter5s() / 5);
      assertThat(ours.throughput()).as(ours.row()).isGreaterThan(cut.throughput());
    }
    Figures cut =
        Simulation.run(new TokenBucket(100, 50, false, false), Pacer::multiplicativeCut, 256);
    assertThat(cut.throughput()).as(cut.row()).isLessThan(0.5);
  }
}
