package dev.batchfetch;

import static dev.batchfetch.FaultChecks.completes;
import static dev.batchfetch.FaultChecks.oneResultPerIndex;
import static dev.batchfetch.FaultChecks.oneResultPerInput;
import static dev.batchfetch.FaultChecks.staysUsable;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, input that is not what its type says, and input that is slow to come: a non-String in a
 * {@code List<String>}, a source whose {@code next()} blocks while other batches run.
 */
@Timeout(60)
class FaultsInputTest {
  @RegisterExtension final Uncaught uncaught = new Uncaught();
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  private final FaultServer server = FaultServer.start();
  private final CountDownLatch unblock = new CountDownLatch(1);

  @AfterEach
  void stopServer() {
    unblock.countDown();
    server.close();
  }

  @SuppressWarnings({"unchecked", "rawtypes"}) // the point: heap pollution from a raw list
  private List<String> polluted() {
    List raw = new ArrayList();
    raw.add(server.url("/ok/0"));
    raw.add(42);
    raw.add(server.url("/ok/2"));
    return (List<String>) raw;
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aNonStringInAListOfStringsIsAnInvalidUrlAtItsOwnIndex(ExecutionPolicy policy) {
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    List<String> urls = polluted();

    List<Result> results = completes(fetcher.fetchAll(urls));

    assertThat(results).hasSize(3);
    assertThat(results).extracting(Result::index).containsExactly(0, 1, 2);
    assertThat(results.get(0).url()).isEqualTo(server.url("/ok/0"));
    assertThat(results.get(0).isSuccess()).as("%s", results.get(0)).isTrue();
    assertThat(results.get(1).error()).as("%s", results.get(1)).isEqualTo(ErrorKind.INVALID_URL);
    assertThat(results.get(2).url()).isEqualTo(server.url("/ok/2"));
    assertThat(results.get(2).isSuccess()).as("%s", results.get(2)).isTrue();
    staysUsable(fetcher, server);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aNonStringInAStreamedInputIsAnInvalidUrlAtItsOwnIndex(ExecutionPolicy policy) {
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    Queue<Result> results = new ConcurrentLinkedQueue<>();

    BatchSummary summary = completes(fetcher.fetchEach(polluted(), results::add));

    assertThat(summary.results()).isEqualTo(3);
    oneResultPerIndex(results, 3);
    assertThat(results)
        .filteredOn(r -> r.index() == 1)
        .extracting(Result::error)
        .containsExactly(ErrorKind.INVALID_URL);
    assertThat(results).filteredOn(r -> r.index() != 1).allMatch(Result::isSuccess);
    staysUsable(fetcher, server);
  }

  @SuppressWarnings({"unchecked", "rawtypes"}) // the point: heap pollution from a raw list
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aNonRequestInAListOfRequestsIsAFailedResultAtItsOwnIndex(ExecutionPolicy policy) {
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    List raw = new ArrayList();
    raw.add(FetchRequest.get(server.url("/ok/0")));
    raw.add(42);
    raw.add(FetchRequest.get(server.url("/ok/2")));

    List<Result> results = completes(fetcher.fetchAllRequests((List<FetchRequest>) raw));

    assertThat(results).extracting(Result::index).containsExactly(0, 1, 2);
    assertThat(results.get(1).error())
        .as("%s", results.get(1))
        .isIn(ErrorKind.INVALID_URL, ErrorKind.INVALID_REQUEST);
    assertThat(List.of(results.get(0), results.get(2))).allMatch(Result::isSuccess);
    staysUsable(fetcher, server);
  }

  /** A source that gives {@code before} URLs, then blocks in {@code next()} until unblocked. */
  private Iterable<String> blockingAfter(int before, CountDownLatch blocked) {
    List<String> urls = server.urls("/ok", before);
    return () ->
        new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next <= before;
          }

          @Override
          public String next() {
            if (next == before) {
              blocked.countDown();
              try {
                unblock.await(20, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              next++;
              return server.url("/ok/late");
            }
            return urls.get(next++);
          }
        };
  }

  /** A slow source holds up its own batch, not another batch of the same fetcher. */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aSourceBlockedInNextDoesNotHoldUpAnotherBatch(ExecutionPolicy policy) throws Exception {
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    CountDownLatch blocked = new CountDownLatch(1);
    Queue<Result> slowResults = new ConcurrentLinkedQueue<>();
    CompletableFuture<BatchSummary> slow =
        fetcher.fetchEach(blockingAfter(5, blocked), slowResults::add);
    assertThat(blocked.await(10, TimeUnit.SECONDS)).as("the source blocked").isTrue();

    List<String> urls = server.urls("/other", 20);
    List<Result> other = completes(fetcher.fetchAll(urls), Duration.ofSeconds(5));

    oneResultPerInput(other, urls);
    assertThat(other).allMatch(Result::isSuccess);
    assertThat(slow).isNotDone();
    unblock.countDown();
    assertThat(completes(slow).results()).isEqualTo(6);
  }

  /** A batch's deadline fires on time even while its source is blocked in {@code next()}. */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aBatchDeadlineFiresOnTimeWhileItsSourceIsBlocked(ExecutionPolicy policy) throws Exception {
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder().policy(policy).batchTimeout(Duration.ofSeconds(1)).build());
    server.on("/stall", (request, wire) -> wire.stall());
    CountDownLatch blocked = new CountDownLatch(1);
    Queue<Result> results = new ConcurrentLinkedQueue<>();
    long start = System.nanoTime();

    CompletableFuture<BatchSummary> batch =
        fetcher.fetchEach(blockingAfter(5, blocked), results::add);
    CompletableFuture<List<Result>> other = fetcher.fetchAll(List.of(server.url("/stall/0")));

    assertThat(blocked.await(10, TimeUnit.SECONDS)).as("the source blocked").isTrue();
    BatchSummary summary = completes(batch, Duration.ofSeconds(4));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as("time to the 1 s deadline").isLessThan(Duration.ofSeconds(3));
    assertThat(summary.results()).isGreaterThanOrEqualTo(5);
    List<Result> stalled = completes(other, Duration.ofSeconds(3));
    assertThat(stalled.get(0).error()).isEqualTo(ErrorKind.TIMEOUT);
    unblock.countDown();
    staysUsable(fetcher, server);
  }
}
