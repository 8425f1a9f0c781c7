package dev.batchfetch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(30)
class BadInputTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  @SuppressWarnings({"unchecked", "rawtypes"}) // the raw lists are the point
  void anElementOfAnotherTypeInARawListIsAnInvalidUrlAtItsOwnIndex(ExecutionPolicy policy) {
    Virtual virtual = new Virtual();
    List<String> urls = (List) Arrays.asList("http://a.test/0", 42, "http://a.test/2");
    List<FetchRequest> requests = (List) Arrays.asList(FetchRequest.get("http://a.test/3"), "x");
    BatchFetcher fetcher = leaks.track(virtual.builder().policy(policy).build());

    List<Result> results = virtual.run(fetcher.fetchAll(urls));
    List<Result> fromRequests = virtual.run(fetcher.fetchAllRequests(requests));

    assertThat(results).extracting(Result::index).containsExactly(0, 1, 2);
    assertThat(results)
        .extracting(Result::url)
        .containsExactly("http://a.test/0", null, "http://a.test/2");
    assertThat(results.get(1).error()).isEqualTo(ErrorKind.INVALID_URL);
    assertThat(results.get(1).exception())
        .hasMessage("input 1 is a java.lang.Integer, not a URL String");
    assertThat(fromRequests.get(1).error()).isEqualTo(ErrorKind.INVALID_URL);
    assertThat(fromRequests.get(1).exception()).hasMessageContaining("not a FetchRequest");
    assertThat(virtual.server.keys()).containsExactly("a.test/0", "a.test/2", "a.test/3");
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void turnsBadUrlsIntoResultsWhileTheRestOfTheBatchRuns(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher();
    server.setDispatcher(dispatcher);
    List<String> urls =
        Arrays.asList(
            server.url("/id/0").toString(),
            "not a url",
            "ftp://example.com/file",
            null,
            "",
            "http://",
            server.url("/id/5").toString());
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());

    List<Result> results = fetcher.fetchAll(urls).join();

    assertThat(results).hasSize(7);
    assertThat(results.get(0).text()).isEqualTo("0");
    assertThat(results.get(6).text()).isEqualTo("5");
    for (int i = 1; i <= 5; i++) {
      Result bad = results.get(i);
      assertThat(bad.index()).isEqualTo(i);
      assertThat(bad.url()).isEqualTo(urls.get(i));
      assertThat(bad.error()).as("%s", bad).isEqualTo(ErrorKind.INVALID_URL);
      assertThat(bad.exception()).isInstanceOf(IllegalArgumentException.class);
      assertThat(bad.status()).isZero();
      assertThat(bad.isSuccess()).isFalse();
    }
    assertThat(results.get(2).exception()).hasMessageContaining("ftp");
    assertThat(results.get(3).exception()).hasMessageContaining("input 3 is null");
    assertThat(dispatcher.paths()).containsExactlyInAnyOrder("/id/0", "/id/5");
    NoLeaks.closeAndCheck(fetcher);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void sendsTheMethodHeadersAndBodyOfEachRequest(ExecutionPolicy policy) throws Exception {
    Routes routes =
        new Routes(
            Map.of(
                "/items", new MockResponse.Builder().code(201).body("created").build(),
                "/items/1", new MockResponse.Builder().body("got").build()));
    server.setDispatcher(routes);
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).userAgent("tests/1").build());
    List<FetchRequest> requests =
        List.of(
            FetchRequest.of("post", server.url("/items").toString())
                .withHeader("X-Trace", "a")
                .withHeader("X-Trace", "b")
                .withBody("{\"n\":1}".getBytes(UTF_8), "application/json"),
            FetchRequest.get(server.url("/items/1").toString()));

    List<Result> results = fetcher.fetchAllRequests(requests).join();

    assertThat(results).extracting(Result::status).containsExactly(201, 200);
    RecordedRequest post = routes.take("/items");
    assertThat(post.getMethod()).isEqualTo("POST");
    assertThat(post.getHeaders().values("X-Trace")).containsExactly("a", "b");
    assertThat(post.getHeaders().get("User-Agent")).isEqualTo("tests/1");
    assertThat(post.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(post.getBody().utf8()).isEqualTo("{\"n\":1}");
    RecordedRequest get = routes.take("/items/1");
    assertThat(get.getMethod()).isEqualTo("GET");
    assertThat(get.getBodySize()).isZero();
    NoLeaks.closeAndCheck(fetcher);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void turnsRequestsOkHttpCannotSendIntoResults(ExecutionPolicy policy) {
    server.setDispatcher(new IdDispatcher());
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    List<FetchRequest> requests =
        Arrays.asList(
            FetchRequest.get(server.url("/id/0").toString()).withBody(new byte[1], "text/plain"),
            FetchRequest.of("POST", server.url("/id/1").toString()),
            null,
            FetchRequest.get("mailto:someone@example.com"),
            FetchRequest.get(server.url("/id/4").toString()));

    List<Result> results = fetcher.fetchAllRequests(requests).join();

    assertThat(results)
        .extracting(Result::error)
        .containsExactly(
            ErrorKind.INVALID_REQUEST,
            ErrorKind.INVALID_REQUEST,
            ErrorKind.INVALID_URL,
            ErrorKind.INVALID_URL,
            null);
    assertThat(results.get(0).exception()).hasMessageContaining("GET");
    assertThat(results.get(2).url()).isNull();
    assertThat(results.get(4).text()).isEqualTo("4");
    NoLeaks.closeAndCheck(fetcher);
  }
}
