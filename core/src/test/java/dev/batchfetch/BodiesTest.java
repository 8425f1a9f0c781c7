package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import okio.Buffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Body size limits and the three ways of handling bodies; every body closed. */
@Timeout(30)
class BodiesTest {
  private static final String BIG = "x".repeat(10_000);

  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aBodyOverTheLimitFailsItsResultAndKeepsTheStatus(ExecutionPolicy policy) {
    serveBigSmallAndChunked();
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).maxBodySize(1_000).build());

    List<Result> results =
        fetcher.fetchAll(List.of(url("/big"), url("/small"), url("/chunked"))).join();

    Result declared = results.get(0);
    assertThat(declared.error()).isEqualTo(ErrorKind.BODY_TOO_LARGE);
    assertThat(declared.status()).isEqualTo(200);
    assertThat(declared.exception()).hasMessageContaining("Content-Length");
    assertThat(declared.attempts()).as("not retried").isEqualTo(1);
    assertThat(results.get(1).isSuccess()).isTrue();
    Result chunked = results.get(2);
    assertThat(chunked.error()).isEqualTo(ErrorKind.BODY_TOO_LARGE);
    assertThat(chunked.bodyLength()).isZero();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void discardKeepsStatusAndHeadersAndReusesTheConnection(ExecutionPolicy policy) {
    serveBigSmallAndChunked();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder().policy(policy).bodyHandling(BodyHandling.discard()).build());
    Collected received = new Collected();

    BatchSummary summary =
        fetcher
            .fetchEach(List.of(url("/big"), url("/small"), url("/chunked")), received::add)
            .join();

    assertThat(received.results).allSatisfy((index, r) -> assertThat(r.bodyLength()).isZero());
    assertThat(summary.succeeded()).isEqualTo(3);
    assertThat(summary.bytes()).isEqualTo(10_000 + 5 + 10_000);
    assertIdleConnections(fetcher.client());
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void streamHandsSuccessesToTheHandlerAndKeepsErrors(ExecutionPolicy policy) {
    server.setDispatcher(
        new Routes(
            Map.of(
                "/ok", new MockResponse.Builder().body(BIG).build(),
                "/error", new MockResponse.Builder().code(404).body("not here").build())));
    Map<Integer, String> handled = new ConcurrentHashMap<>();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .bodyHandling(
                    BodyHandling.stream(
                        (response, body) ->
                            handled.put(
                                response.index(),
                                response.status()
                                    + " "
                                    + new String(body.readAllBytes(), StandardCharsets.UTF_8))))
                .build());

    List<Result> results = fetcher.fetchAll(List.of(url("/ok"), url("/error"))).join();

    assertThat(handled).containsOnly(Map.entry(0, "200 " + BIG));
    assertThat(results.get(0).isSuccess()).isTrue();
    assertThat(results.get(0).bodyLength()).isZero();
    assertThat(results.get(1).text()).isEqualTo("not here");
    assertIdleConnections(fetcher.client());
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aFailingHandlerFailsTheResultAndTheBodyIsStillClosed(ExecutionPolicy policy) {
    server.setDispatcher(new IdDispatcher());
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .bodyHandling(
                    BodyHandling.stream(
                        (response, body) -> {
                          if (response.index() == 0) {
                            throw new IOException("disk full");
                          }
                          throw new IllegalStateException("bug");
                        }))
                .build());

    List<Result> results = fetcher.fetchAll(Urls.ids(server, 2)).join();

    assertThat(results.get(0).error()).isEqualTo(ErrorKind.IO);
    assertThat(results.get(0).exception()).hasMessage("disk full");
    assertThat(results.get(0).status()).isEqualTo(200);
    assertThat(results.get(1).error()).isEqualTo(ErrorKind.UNEXPECTED);
    // NoLeaks checks that no connection stays busy with an unclosed body.
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aHandlerReadingPastTheLimitFails(ExecutionPolicy policy) {
    serveBigSmallAndChunked();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .maxBodySize(1_000)
                .bodyHandling(BodyHandling.stream((response, body) -> body.readAllBytes()))
                .build());

    List<Result> results = fetcher.fetchAll(List.of(url("/chunked"), url("/small"))).join();

    assertThat(results.get(0).error()).isEqualTo(ErrorKind.BODY_TOO_LARGE);
    assertThat(results.get(1).isSuccess()).isTrue();
  }

  private void serveBigSmallAndChunked() {
    Buffer chunked = new Buffer().writeUtf8(BIG);
    server.setDispatcher(
        new Routes(
            Map.of(
                "/big", new MockResponse.Builder().body(BIG).build(),
                "/small", new MockResponse.Builder().body("small").build(),
                "/chunked", new MockResponse.Builder().chunkedBody(chunked, 1_024).build())));
  }

  private String url(String path) {
    return server.url(path).toString();
  }

  private static void assertIdleConnections(OkHttpClient client) {
    assertThat(client.connectionPool().connectionCount()).isPositive();
    assertThat(client.connectionPool().idleConnectionCount())
        .isEqualTo(client.connectionPool().connectionCount());
  }

  /** Results by index, from a consumer. */
  private static final class Collected {
    final Map<Integer, Result> results = new ConcurrentHashMap<>();

    void add(Result result) {
      results.put(result.index(), result);
    }
  }
}
