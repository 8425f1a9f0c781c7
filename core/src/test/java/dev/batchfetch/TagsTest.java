package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A request's tag comes back, the same object, on its result, whatever became of it. */
@Timeout(30)
class TagsTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();

  /** A caller's object that equals no other, to prove the very object comes back. */
  private record Row(long id) {}

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void everyResultCarriesItsRequestsTag(ExecutionPolicy policy) {
    server.setDispatcher(
        new Routes(
            Map.of(
                "/ok", new MockResponse.Builder().body("ok").build(),
                "/missing", new MockResponse.Builder().code(404).build())));
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).retry(RetryPolicy.none()).build());
    List<Row> rows = List.of(new Row(1), new Row(2), new Row(3), new Row(4), new Row(5));
    List<FetchRequest> requests =
        List.of(
            FetchRequest.get(server.url("/ok").toString()).withTag(rows.get(0)),
            FetchRequest.get(server.url("/missing").toString()).withTag(rows.get(1)),
            FetchRequest.get("not a url").withTag(rows.get(2)),
            FetchRequest.of("GET", server.url("/ok").toString())
                .withBody(new byte[1], "text/plain") // a GET with a body: OkHttp refuses it
                .withTag(rows.get(3)),
            FetchRequest.get(server.url("/ok").toString()).withTag(rows.get(4)).withTag(null));

    List<Result> results = fetcher.fetchAllRequests(requests).join();

    assertThat(results.get(0).isSuccess()).isTrue();
    assertThat(results.get(1).error()).isEqualTo(ErrorKind.HTTP_STATUS);
    assertThat(results.get(2).error()).isEqualTo(ErrorKind.INVALID_URL);
    assertThat(results.get(3).error()).isEqualTo(ErrorKind.INVALID_REQUEST);
    for (int i = 0; i < 4; i++) {
      assertThat(results.get(i).tag()).as("tag of %s", results.get(i)).isSameAs(rows.get(i));
    }
    assertThat(results.get(4).tag()).isNull();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void streamedResultsCarryTheirTagsInCompletionOrder(ExecutionPolicy policy) {
    server.setDispatcher(new IdDispatcher());
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    List<FetchRequest> requests = new ArrayList<>();
    for (String url : Urls.ids(server, 50)) {
      requests.add(FetchRequest.get(url).withTag(url + "#tag"));
    }
    List<Result> seen = new CopyOnWriteArrayList<>();

    fetcher.fetchEachRequest(requests, seen::add).join();

    assertThat(seen).hasSize(50).allSatisfy(r -> assertThat(r.tag()).isEqualTo(r.url() + "#tag"));
  }

  @Test
  void aTagIsPartOfTheValue() {
    FetchRequest plain = FetchRequest.get("http://a.test/");
    assertThat(plain.tag()).isNull();
    assertThat(plain.withTag("x")).isEqualTo(plain.withTag("x")).isNotEqualTo(plain);
    assertThat(plain.withTag("x").withHeader("A", "b").tag()).isEqualTo("x");
    assertThat(plain.withTag(7).toString()).isEqualTo("GET http://a.test/ tag 7");
  }

  @Test
  void urlsHaveNoTag() {
    server.setDispatcher(new IdDispatcher());
    BatchFetcher fetcher = leaks.track(BatchFetcher.async(4));

    assertThat(fetcher.fetchAll(Urls.ids(server, 3)).join()).allMatch(r -> r.tag() == null);
  }
}
