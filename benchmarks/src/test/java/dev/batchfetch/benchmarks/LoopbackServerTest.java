package dev.batchfetch.benchmarks;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LoopbackServerTest {
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void answersTheIdAsText() throws Exception {
    try (LoopbackServer server = LoopbackServer.start(Duration.ZERO, null)) {
      HttpResponse<String> ok = get(server.base() + "/id/0042");
      HttpResponse<String> missing = get(server.base() + "/nothing");

      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("42");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(server.okCount()).isEqualTo(1);
      assertThat(server.otherCount()).isEqualTo(1);
    }
  }

  @Test
  void answersPipelinedRequestsInOrderAfterTheDelay() throws Exception {
    try (LoopbackServer server = LoopbackServer.start(Duration.ofMillis(50), null);
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      long start = System.nanoTime();
      socket
          .getOutputStream()
          .write(
              String.join(
                      "\r\n",
                      "GET /id/1 HTTP/1.1",
                      "Host: x",
                      "",
                      "GET /id/22 HTTP/1.1",
                      "Host: x",
                      "Connection: close",
                      "",
                      "")
                  .getBytes(US_ASCII));
      String answers = read(socket.getInputStream());
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

      assertThat(answers).containsSubsequence("\r\n\r\n1", "\r\n\r\n22");
      assertThat(elapsedMillis).isGreaterThanOrEqualTo(50);
    }
  }

  @Test
  void refusesBeyondTheQuotaWith429() throws Exception {
    try (LoopbackServer server = LoopbackServer.start(Duration.ZERO, new TokenBucket(1, 2))) {
      int[] statuses = new int[5];
      for (int i = 0; i < statuses.length; i++) {
        statuses[i] = get(server.base() + "/quota/id/" + i).statusCode();
      }

      assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
      assertThat(server.tooManyCount()).isEqualTo(2);
    }
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String read(InputStream in) throws IOException {
    return new String(in.readAllBytes(), US_ASCII); // the server closes after the second answer
  }
}
