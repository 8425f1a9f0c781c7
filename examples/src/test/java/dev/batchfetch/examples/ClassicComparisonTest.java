package dev.batchfetch.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.BatchFetcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ClassicComparisonTest {

  @Test
  void everyPolicyGetsEveryIdRight() throws Exception {
    Options options = new Options(50, Duration.ZERO, 4, 8, 10);
    List<Measurement> reported = new ArrayList<>();
    try (IdServer server = IdServer.start(options.delay())) {

      List<Measurement> measurements = ClassicComparison.compare(server, options, reported::add);

      assertThat(measurements)
          .extracting(Measurement::policy)
          .containsExactly("sequential", "pool(4)", "async(8)");
      assertThat(measurements)
          .allSatisfy(
              m -> {
                assertThat(m.count()).isEqualTo(50);
                assertThat(m.successes()).isEqualTo(50);
                assertThat(m.failures()).isZero();
                assertThat(m.requestsPerSecond()).isPositive();
              });
      assertThat(reported).isEqualTo(measurements);
    }
  }

  @Test
  void countsABodyThatIsNotItsIdAsAFailure() throws Exception {
    try (IdServer server = IdServer.start(Duration.ZERO)) {
      // Index 0 asks for id 1 and index 1 for id 0: both answer 200, neither with its own index.
      List<String> swapped = List.of(server.url(1), server.url(0), server.url(2));

      Measurement measurement = ClassicComparison.measure(() -> BatchFetcher.async(2), swapped);

      assertThat(measurement.successes()).isEqualTo(1);
      assertThat(measurement.failures()).isEqualTo(2);
    }
  }

  @Test
  void countsAFailedFetchAsAFailure() throws Exception {
    try (IdServer server = IdServer.start(Duration.ZERO)) {
      String notFound = "http://127.0.0.1:" + server.port() + "/nothing";

      Measurement measurement =
          ClassicComparison.measure(BatchFetcher::sequential, List.of(server.url(0), notFound));

      assertThat(measurement.successes()).isEqualTo(1);
      assertThat(measurement.failures()).isEqualTo(1);
    }
  }
}
