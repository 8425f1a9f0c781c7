package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(30)
class FailuresTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void classifiesARefusedConnection(ExecutionPolicy policy) throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).retry(RetryPolicy.none()).build());

    Result result = fetcher.fetchAll(List.of("http://127.0.0.1:" + closedPort + "/")).join().get(0);

    assertThat(result.error()).as("%s", result).isEqualTo(ErrorKind.CONNECT);
    assertThat(result.exception()).isInstanceOf(java.net.ConnectException.class);
    assertThat(result.status()).isZero();
    NoLeaks.closeAndCheck(fetcher);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void classifiesHeadersThatNeverComeAsATimeout(ExecutionPolicy policy) {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .retry(RetryPolicy.none())
                .readTimeout(Duration.ofMillis(200))
                .build());

    Result result = fetcher.fetchAll(List.of(server.url("/").toString())).join().get(0);

    assertThat(result.error()).as("%s", result).isEqualTo(ErrorKind.TIMEOUT);
    assertThat(result.exception()).isInstanceOf(java.io.InterruptedIOException.class);
    NoLeaks.closeAndCheck(fetcher);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void classifiesAWholeCallTimeout(ExecutionPolicy policy) {
    server.enqueue(new MockResponse.Builder().headersDelay(5, TimeUnit.SECONDS).build());
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .retry(RetryPolicy.none())
                .callTimeout(Duration.ofMillis(200))
                .build());

    Result result = fetcher.fetchAll(List.of(server.url("/").toString())).join().get(0);

    assertThat(result.error()).as("%s", result).isEqualTo(ErrorKind.TIMEOUT);
    NoLeaks.closeAndCheck(fetcher);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void keepsTheStatusWhenTheConnectionIsCutMidBody(ExecutionPolicy policy) {
    server.enqueue(
        new MockResponse.Builder()
            .body(new Buffer().write(new byte[64 * 1024]))
            .onResponseBody(new SocketEffect.CloseSocket())
            .build());
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).retry(RetryPolicy.none()).build());

    Result result = fetcher.fetchAll(List.of(server.url("/").toString())).join().get(0);

    assertThat(result.error()).as("%s", result).isEqualTo(ErrorKind.IO);
    assertThat(result.status()).isEqualTo(200);
    assertThat(result.header("Content-Length")).hasValue(Integer.toString(64 * 1024));
    assertThat(result.isSuccess()).isFalse();
    assertThat(result.exception()).isInstanceOf(IOException.class);
    NoLeaks.closeAndCheck(fetcher);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void keepsClientAndServerErrorsAsResponses(ExecutionPolicy policy) {
    server.setDispatcher(
        new Routes(
            Map.of(
                "/a", new MockResponse.Builder().code(404).body("no such item").build(),
                "/b",
                    new MockResponse.Builder()
                        .code(500)
                        .setHeader("X-Error", "boom")
                        .body("oops")
                        .build(),
                "/c", new MockResponse.Builder().code(204).build())));
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).retry(RetryPolicy.none()).build());

    List<Result> results = fetcher.fetchAll(List.of(url("/a"), url("/b"), url("/c"))).join();

    assertThat(results).extracting(Result::status).containsExactly(404, 500, 204);
    assertThat(results)
        .extracting(Result::error)
        .containsExactly(ErrorKind.HTTP_STATUS, ErrorKind.HTTP_STATUS, null);
    assertThat(results.get(0).text()).isEqualTo("no such item");
    assertThat(results.get(1).header("x-error")).hasValue("boom");
    assertThat(results.get(1).exception()).isNull();
    assertThat(results.get(2).isSuccess()).isTrue();
    assertThat(results.get(2).bodyLength()).isZero();
    NoLeaks.closeAndCheck(fetcher);
  }

  private String url(String path) {
    return server.url(path).toString();
  }
}
