package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.testing.Installed;
import dev.batchfetch.testing.NginxProcess;
import dev.batchfetch.testing.NginxQuota;
import dev.batchfetch.testing.QuotaModel;
import dev.batchfetch.testing.QuotaServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quota discovery against real servers on loopback, nothing configured: the tests' token bucket
 * ({@link QuotaServer}) with and without quota headers, a fixed window, and nginx {@code limit_req}
 * with and without a burst and {@code Retry-After}. Short batches, a few seconds each: every input
 * gets its result and none fails, and where the server announces its quota, no call sent after its
 * first answer is refused. The 60-second runs are the benchmarks' workload UQ.
 */
@Timeout(60)
class QuotaDiscoveryServersTest {
  private static final Duration LATENCY = Duration.ofMillis(100);

  @RegisterExtension final NoLeaks leaks = new NoLeaks();

  static Stream<ExecutionPolicy> wideAndNarrow() {
    return Stream.of(ExecutionPolicy.async(256), ExecutionPolicy.sequential());
  }

  static Stream<ExecutionPolicy> policies() {
    return Stream.of(
        ExecutionPolicy.async(256), ExecutionPolicy.pool(16), ExecutionPolicy.sequential());
  }

  @ParameterizedTest
  @MethodSource("policies")
  void aTokenBucketWithoutHeaders(ExecutionPolicy policy) throws IOException {
    try (QuotaServer server =
        QuotaServer.start(new QuotaModel.TokenBucket(10, 20, false, false), LATENCY)) {
      List<Result> results = fetch(policy, server.url("/").toString(), 50);

      report("token bucket 10/s burst 20", policy, results, server.log());
      assertThat(results).allMatch(Result::isSuccess);
      // The slow start's refusals, and a first search: far from async(256)'s flood, where 3 of
      // every 4 attempts are refused. (Here 20-38% of the arrivals, the most on a loaded machine.)
      assertThat(server.refused()).isLessThanOrEqualTo(server.arrivals() / 2);
    }
  }

  @ParameterizedTest
  @MethodSource("policies")
  void aTokenBucketWithHeadersIsNeverRefusedAfterItsFirstAnswer(ExecutionPolicy policy)
      throws IOException {
    try (QuotaServer server =
        QuotaServer.start(new QuotaModel.TokenBucket(10, 20, true, true), LATENCY)) {
      List<Result> results = fetch(policy, server.url("/").toString(), 40);

      List<QuotaServer.Arrival> log = server.log();
      report("token bucket 10/s burst 20, headers", policy, results, log);
      assertThat(results).allMatch(Result::isSuccess);
      long firstAnswer = log.get(0).nanos() + LATENCY.toNanos();
      assertThat(log)
          .filteredOn(a -> a.nanos() > firstAnswer + Duration.ofMillis(20).toNanos())
          .allMatch(a -> a.status() == 200);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.QuotaDiscoveryServersTest#wideAndNarrow")
  void aFixedWindow(ExecutionPolicy policy) throws IOException {
    try (QuotaServer server =
        QuotaServer.start(new QuotaModel.FixedWindow(10, 1, false, false), LATENCY)) {
      List<Result> results = fetch(policy, server.url("/").toString(), 40);

      report("fixed window 10 per 1 s", policy, results, server.log());
      assertThat(results).allMatch(Result::isSuccess);
    }
  }

  /** Each nginx configuration under async(256), and a pool and one at a time where they differ. */
  static Stream<Object[]> nginxCases() {
    return Stream.of(
        new Object[] {ExecutionPolicy.async(256), 5, false},
        new Object[] {ExecutionPolicy.async(256), 5, true},
        new Object[] {ExecutionPolicy.async(256), 0, false},
        new Object[] {ExecutionPolicy.pool(16), 5, true},
        new Object[] {ExecutionPolicy.sequential(), 0, false});
  }

  @ParameterizedTest
  @MethodSource("nginxCases")
  void nginxLimitReq(ExecutionPolicy policy, int burst, boolean retryAfter) throws IOException {
    try (NginxQuota nginx = NginxQuota.start(nginx(), 10, burst, retryAfter)) {
      List<Result> results = fetch(policy, nginx.base() + NginxQuota.PATH, 30);

      report(
          "nginx 10r/s burst " + burst + (retryAfter ? ", Retry-After: 1" : ""),
          policy,
          results,
          nginx.stopAndRead());
      assertThat(results).allMatch(Result::isSuccess);
    }
  }

  @Test
  void nginxWithoutBurstConfiguredAtExactlyItsQuotaDrawsFewRefusals() throws IOException {
    try (NginxQuota nginx = NginxQuota.start(nginx(), 10, 0, false)) {
      BatchFetcher fetcher =
          leaks.track(
              BatchFetcher.builder()
                  .policy(ExecutionPolicy.async(64))
                  .rateLimit(RateLimit.perSecond(10))
                  .build());
      List<Result> results = fetcher.fetchAll(urls(nginx.base() + NginxQuota.PATH, 40)).join();
      NoLeaks.closeAndCheck(fetcher);

      List<QuotaServer.Arrival> log = nginx.stopAndRead();
      report("nginx 10r/s no burst, rateLimit(10/s)", ExecutionPolicy.async(64), results, log);
      assertThat(results).allMatch(Result::isSuccess);
      long refusedAfterTheFirstSecond =
          log.stream()
              .filter(a -> a.nanos() > log.get(0).nanos() + Duration.ofSeconds(1).toNanos())
              .filter(a -> a.status() == 429)
              .count();
      // Jitter alone drew 10 in 30 calls before discovery (issue 11); a decrease after the first
      // refusals keeps the rest just under the quota.
      assertThat(refusedAfterTheFirstSecond).isLessThanOrEqualTo(5);
    }
  }

  private List<Result> fetch(ExecutionPolicy policy, String base, int count) {
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    List<Result> results = fetcher.fetchAll(urls(base, count)).join();
    NoLeaks.closeAndCheck(fetcher);
    return results;
  }

  private static List<String> urls(String base, int count) {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      urls.add(base + i);
    }
    return urls;
  }

  private static Path nginx() {
    return Installed.orSkip(
        NginxProcess.binary(),
        "nginx",
        "quota discovery against nginx",
        "BATCHFETCH_REQUIRE_NGINX");
  }

  /** One line per run, for the note. */
  private static void report(
      String server, ExecutionPolicy policy, List<Result> results, List<QuotaServer.Arrival> log) {
    long refused = log.stream().filter(a -> a.status() == 429).count();
    double seconds =
        log.size() < 2 ? 0 : (log.get(log.size() - 1).nanos() - log.get(0).nanos()) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%s, %s: %d inputs, %d attempts, %d refused (%.1f%%), %.1f s, %d failed%n",
        server,
        policy,
        results.size(),
        log.size(),
        refused,
        log.isEmpty() ? 0 : 100.0 * refused / log.size(),
        seconds,
        results.stream().filter(r -> !r.isSuccess()).count());
  }
}
