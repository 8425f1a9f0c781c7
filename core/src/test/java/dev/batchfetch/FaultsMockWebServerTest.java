package dev.batchfetch;

import static dev.batchfetch.FaultChecks.FAST_RETRIES;
import static dev.batchfetch.FaultChecks.attempts;
import static dev.batchfetch.FaultChecks.completes;
import static dev.batchfetch.FaultChecks.oneResultPerInput;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, the same faults made with MockWebServer's socket effects, which count requests too: a
 * connection closed after the server read a POST, and one cut in the middle of a body.
 */
@Timeout(60)
class FaultsMockWebServerTest {
  @RegisterExtension final Uncaught uncaught = new Uncaught();
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aPostWhoseConnectionClosesAfterItWasReadIsNotSentAgain(ExecutionPolicy policy)
      throws Exception {
    server.enqueue(new MockResponse.Builder().body("warm").build());
    server.enqueue(
        new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    server.enqueue(new MockResponse.Builder().code(201).body("sent twice").build());
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).retry(RetryPolicy.none()).build());
    completes(fetcher.fetchAll(List.of(server.url("/warm").toString())));
    FetchRequest post =
        FetchRequest.of("POST", server.url("/orders").toString())
            .withBody("{}".getBytes(UTF_8), "text/json");

    List<Result> results = completes(fetcher.fetchAllRequests(List.of(post)));

    assertThat(server.getRequestCount()).as("requests: the warm-up and one POST").isEqualTo(2);
    assertThat(results.get(0).isSuccess()).as("%s", results.get(0)).isFalse();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aBodyCutShortIsRetriedOnlyAsTheResultsCount(ExecutionPolicy policy) {
    for (int i = 0; i < 9; i++) {
      server.enqueue(
          new MockResponse.Builder()
              .body(new Buffer().write(new byte[64 * 1024]))
              .onResponseBody(new SocketEffect.CloseSocket())
              .build());
    }
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).retry(FAST_RETRIES).build());
    List<String> urls = List.of(server.url("/a").toString(), server.url("/b").toString());

    List<Result> results = completes(fetcher.fetchAll(urls));

    oneResultPerInput(results, urls);
    assertThat(results).extracting(Result::error).containsOnly(ErrorKind.IO);
    assertThat(server.getRequestCount()).isEqualTo(attempts(results));
  }
}
