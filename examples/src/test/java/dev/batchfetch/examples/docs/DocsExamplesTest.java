package dev.batchfetch.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.BatchSummary;
import dev.batchfetch.ErrorKind;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.Progress;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.examples.IdServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
  void executorExampleFetchesEveryUrlAndLeavesTheExecutorOpen() {
    java.util.concurrent.ExecutorService executor =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      assertThat(Policies.onYourExecutor(executor, urls)).hasSize(5).allMatch(Result::isSuccess);
      assertThat(executor.isShutdown()).isFalse();
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void timeoutsExampleFetchesEveryUrl() {
    assertThat(Troubleshooting.withTimeouts(urls)).hasSize(5).allMatch(Result::isSuccess);
  }

  @Test
  void ownClientExampleFetchesEveryUrl() {
    assertThat(Troubleshooting.withOwnClient(urls, "Bearer t")).allMatch(Result::isSuccess);
  }

  @Test
  void readingsAreTheRatesOfThePage() {
    assertThat(Quotas.readings())
        .extracting(RateLimit::interval, RateLimit::burst)
        .containsExactly(
            tuple(Duration.ofMillis(20), 10L),
            tuple(Duration.ofMillis(200), 19L),
            tuple(Duration.ofMillis(720), 0L),
            tuple(Duration.ofMillis(200), 0L),
            tuple(Duration.ofSeconds(2), 0L));
  }

  @Test
  void nginxExampleSendsItsBurstAtOnce() {
    List<Result> results = Quotas.nginx(urls); // 5 calls: within the burst of 10

    assertThat(results).hasSize(5).allMatch(Result::isSuccess);
    assertThat(results).allMatch(r -> r.admissionWait().compareTo(Duration.ofMillis(500)) < 0);
  }

  @Test
  void githubExampleFetchesAUrl() {
    // One URL: a second would wait its permit, 720 ms later.
    assertThat(Quotas.github(urls.subList(0, 1), "t")).singleElement().matches(Result::isSuccess);
  }

  @Test
  void fixedWindowExampleSpacesItsCalls() {
    List<Result> results = Quotas.fixedWindow(urls.subList(0, 2));

    assertThat(results).allMatch(Result::isSuccess);
    assertThat(results.get(1).admissionWait()).isGreaterThan(Duration.ofMillis(100)); // 200 ms
  }

  @Test
  void crawlExampleKeepsEachHostToItsOwnRate() throws Exception {
    try (IdServer other = IdServer.start(Duration.ZERO)) {
      // Two hosts (two ports), three URLs each, interleaved: at 2 a second per host, each host's
      // third call starts a second after its first; the hosts go side by side.
      List<String> crawl =
          Stream.of(0, 1, 2).flatMap(i -> Stream.of(server.url(i), other.url(i))).toList();

      List<Result> results = Quotas.crawl(crawl);

      assertThat(results).extracting(Result::url).containsExactlyElementsOf(crawl);
      assertThat(results).allMatch(Result::isSuccess);
      assertThat(results.get(4).admissionWait()).isGreaterThan(Duration.ofMillis(900));
      assertThat(results.get(5).admissionWait()).isGreaterThan(Duration.ofMillis(900));
    }
  }

  @Test
  void announcedQuotaExampleFetchesEveryUrl() {
    assertThat(Quotas.announced(urls.subList(0, 2))).hasSize(2).allMatch(Result::isSuccess);
  }

  @Test
  void patientRetriesFollowTheServersRetryAfter() throws Exception {
    try (ScriptedServer scripted = ScriptedServer.start();
        BatchFetcher fetcher = Retries.patient()) {
      String busy = scripted.base() + "/busy"; // 429, Retry-After: 1, then 200

      Result result = fetcher.fetchAll(List.of(busy)).join().get(0);

      assertThat(result.isSuccess()).isTrue();
      assertThat(result.attempts()).isEqualTo(2);
      assertThat(result.admissionWait()).isGreaterThanOrEqualTo(Duration.ofMillis(900));
      assertThat(Retries.report(result))
          .startsWith(busy + ": ok after 2 attempt(s), ")
          .endsWith(" ms waiting to be admitted");
    }
  }

  @Test
  void aWaitPastTheCapIsRateLimitedAndHoldsTheHost() throws Exception {
    try (ScriptedServer scripted = ScriptedServer.start();
        BatchFetcher fetcher = Retries.patient()) {
      String closed = scripted.base() + "/closed/1"; // 429, Retry-After: 3600
      String later = scripted.base() + "/id/1";

      List<Result> first = fetcher.fetchAll(List.of(closed)).join();
      List<Result> then = fetcher.fetchAll(List.of(later)).join(); // same host, within the hour

      assertThat(Retries.reportAll(first))
          .containsExactly(closed + ": rate limited after 1 attempt(s), status 429");
      assertThat(Retries.reportAll(then))
          .containsExactly(later + ": rate limited after 0 attempt(s), status 0");
      assertThat(scripted.requests("/id/1")).isZero();
    }
  }

  @Test
  void postsAreRetriedWhenAskedTo() throws Exception {
    try (ScriptedServer scripted = ScriptedServer.start()) {
      List<Result> results = Retries.orders(scripted.base(), List.of("7")); // 429 first

      assertThat(results).singleElement().matches(Result::isSuccess);
      assertThat(results.get(0).attempts()).isEqualTo(2);
      assertThat(scripted.requests("/orders/7")).isEqualTo(2);
    }
  }

  @Test
  void cliExampleFetchesEveryUrl() {
    try (BatchFetcher fetcher = Cli.sameAsTheCommandLine().build()) {
      assertThat(fetcher.fetchAll(urls.subList(0, 2)).join()).allMatch(Result::isSuccess);
    }
  }

  @Test
  void hostsExampleFetchesEveryUrlInOrder() {
    assertThat(Hosts.manyHosts(urls.subList(0, 2)))
        .extracting(Result::url)
        .containsExactlyElementsOf(urls.subList(0, 2));
  }

  @Test
  void describeSaysHowManyTimesACallFailed() throws Exception {
    String refused;
    try (IdServer gone = IdServer.start(Duration.ZERO)) {
      refused = gone.url(1);
    } // nothing listens there any more: CONNECT, three attempts

    List<String> described =
        GettingStarted.describeAll(GettingStarted.firstFetch(List.of(refused)));

    assertThat(described).singleElement().asString().startsWith(refused + " failed 3 times: ");
  }

  @Test
  void largeBatchFromAFileWritesOneLinePerUrl(@TempDir Path dir) throws Exception {
    Path in = Files.write(dir.resolve("urls.txt"), urls);
    Path out = dir.resolve("results.txt");

    BatchSummary summary = LargeBatches.fromFile(in, out);

    assertThat(summary.succeeded()).isEqualTo(5);
    assertThat(Files.readAllLines(out)).hasSize(5).allMatch(line -> line.endsWith(" 200"));
  }

  @Test
  void bodiesGoToFilesNotToResults(@TempDir Path dir) {
    BatchSummary summary = LargeBatches.bodiesToFiles(urls, dir);

    assertThat(summary.succeeded()).isEqualTo(5);
    assertThat(dir.resolve("3.body")).hasContent("3");
  }

  @Test
  void progressEndsWithADoneReport() {
    List<Progress> reports = LargeBatches.withProgress(urls);

    assertThat(reports).last().matches(Progress::done).matches(p -> p.succeeded() == 5);
  }

  @Test
  void aSharedQuotaWithoutRedisFailsClosed() throws Exception {
    // Nothing listens on this port: Redis is down. (The module's own tests use a real Redis.)
    List<Result> results = SharedQuotas.shared(noRedis(), urls);

    assertThat(results)
        .hasSize(5)
        .allSatisfy(
            r -> {
              assertThat(r.error()).isEqualTo(ErrorKind.QUOTA_UNAVAILABLE);
              assertThat(r.attempts()).isZero();
            });
  }

  @Test
  void aQuotaPerHostWithoutRedisFailsClosedToo() throws Exception {
    assertThat(SharedQuotas.crawl(noRedis(), urls))
        .hasSize(5)
        .allMatch(r -> r.error() == ErrorKind.QUOTA_UNAVAILABLE);
  }

  @Test
  void aSharedQuotaWithAFallbackFetchesWithoutRedis() throws Exception {
    assertThat(SharedQuotas.fallback(noRedis(), urls)).hasSize(5).allMatch(Result::isSuccess);
  }

  @Test
  void learnedQuotasWithoutRedisFetchAllTheSame() throws Exception {
    assertThat(SharedQuotas.learned(noRedis(), urls)).hasSize(5).allMatch(Result::isSuccess);
  }

  /** A Redis URI where nothing listens. */
  private static String noRedis() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "redis://127.0.0.1:" + socket.getLocalPort();
    }
  }
}
