package dev.batchfetch.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class IdServerTest {
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void answersTheIdAsPlainText() throws Exception {
    try (IdServer server = IdServer.start(Duration.ZERO)) {
      HttpResponse<String> response = get(server.url(42));

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("42");
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    }
  }

  @Test
  void listensOnThePortItIsGiven() throws Exception {
    try (IdServer first = IdServer.start(Duration.ZERO)) {
      assertThatThrownBy(() -> IdServer.start(first.port(), Duration.ZERO))
          .isInstanceOf(BindException.class);
    }
  }

  @Test
  void listsUrlsForIdsFromZero() throws Exception {
    try (IdServer server = IdServer.start(Duration.ZERO)) {
      assertThat(server.urls(3))
          .containsExactly(server.url(0), server.url(1), server.url(2))
          .allSatisfy(url -> assertThat(url).startsWith("http://127.0.0.1:" + server.port()));
    }
  }

  @Test
  void answersNotFoundForAnyOtherPath() throws Exception {
    try (IdServer server = IdServer.start(Duration.ZERO)) {
      String base = "http://127.0.0.1:" + server.port();

      assertThat(get(base + "/").statusCode()).isEqualTo(404);
      assertThat(get(base + "/id/").statusCode()).isEqualTo(404);
      assertThat(get(base + "/id/x").statusCode()).isEqualTo(404);
      assertThat(get(base + "/id/1/2").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void waitsOutTheDelaysOfConcurrentRequestsSideBySide() throws Exception {
    // Given 20 requests at once and 250 ms per response: one after another would take 5 s.
    Duration delay = Duration.ofMillis(250);
    int requests = 20;
    try (IdServer server = IdServer.start(delay)) {
      long start = System.nanoTime();

      List<CompletableFuture<HttpResponse<String>>> responses =
          IntStream.range(0, requests)
              .mapToObj(id -> client.sendAsync(request(server.url(id)), bodyAsString()))
              .toList();
      CompletableFuture.allOf(responses.toArray(CompletableFuture<?>[]::new)).join();

      // Then they all took at least one delay, and far less than twenty: a wide margin for CI.
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      assertThat(responses).allSatisfy(r -> assertThat(r.join().statusCode()).isEqualTo(200));
      assertThat(elapsed).isBetween(delay, delay.multipliedBy(requests / 2));
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return client.send(request(url), bodyAsString());
  }

  private static HttpRequest request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
  }

  private static HttpResponse.BodyHandler<String> bodyAsString() {
    return HttpResponse.BodyHandlers.ofString();
  }
}
