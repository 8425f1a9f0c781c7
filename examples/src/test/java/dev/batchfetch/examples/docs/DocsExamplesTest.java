package dev.batchfetch.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.Result;
import dev.batchfetch.examples.IdServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The code of the docs does what the docs say, against a local server. */
@Timeout(30)
class DocsExamplesTest {
  private IdServer server;
  private List<String> urls;

  @BeforeEach
  void startServer() throws Exception {
    server = IdServer.start(Duration.ZERO);
    urls = server.urls(5);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void readmeExampleFetchesEveryUrlWithinTheQuota() {
    assertThat(ReadmeExample.fetch(urls)).hasSize(5).allMatch(Result::isSuccess);
  }

  @Test
  void firstFetchGivesOneResultPerUrlInOrder() {
    assertThat(GettingStarted.firstFetch(urls))
        .extracting(Result::url)
        .containsExactlyElementsOf(urls);
  }

  @Test
  void describeTellsSuccessesStatusesAndBadInputsApart() {
    String notFound = "http://127.0.0.1:" + server.port() + "/nothing";
    List<Result> results = GettingStarted.firstFetch(List.of(urls.get(3), notFound, "not a url"));

    assertThat(GettingStarted.describeAll(results))
        .containsExactly(
            urls.get(3) + ": 3", notFound + " answered 404", "input 2 is wrong: not a url");
  }

  @Test
  void requestsGiveOneResultEach() {
    List<Result> results = GettingStarted.requests("http://127.0.0.1:" + server.port());

    assertThat(results.get(0).text()).isEqualTo("1");
    assertThat(results.get(1).error()).isEqualTo(ErrorKind.HTTP_STATUS); // no POST /items here
  }

  @Test
  void twoBatchesOnOneFetcherBothComplete() {
    List<List<Result>> batches = GettingStarted.twoBatches(urls, urls.subList(0, 2));

    assertThat(batches.get(0)).hasSize(5).allMatch(Result::isSuccess);
    assertThat(batches.get(1)).hasSize(2).allMatch(Result::isSuccess);
  }

  @Test
  void policiesAreTheThreeOfThePage() {
    assertThat(Policies.all())
        .containsExactly(
            ExecutionPolicy.sequential(), ExecutionPolicy.pool(16), ExecutionPolicy.async(64));
  }

  @Test
  void quotaExampleFetchesEveryUrl() {
    assertThat(Policies.withinQuota(urls)).hasSize(5).allMatch(Result::isSuccess);
  }

  @Test
  void timeoutsExampleFetchesEveryUrl() {
    assertThat(Troubleshooting.withTimeouts(urls)).hasSize(5).allMatch(Result::isSuccess);
  }

  @Test
  void ownClientExampleFetchesEveryUrl() {
    assertThat(Troubleshooting.withOwnClient(urls, "Bearer t")).allMatch(Result::isSuccess);
  }
}
