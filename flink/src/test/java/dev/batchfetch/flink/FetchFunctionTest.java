package dev.batchfetch.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.FetchRequest;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.functions.util.RuntimeUDFContext;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The function on its own, opened as Flink would open a subtask: one result per element whatever
 * happens, Flink's timeout a result too, one fetcher shared by the subtasks of a JVM.
 */
@Timeout(30)
class FetchFunctionTest {
  private static final int PARALLELISM = 2;

  private final List<FetchFunction<?, ?>> opened = new ArrayList<>();
  private TestServer server;
  private FetchSettings settings;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer();
    settings = FetchSettings.builder(RateLimit.perSecond(1000)).latency(Duration.ZERO).build();
  }

  @AfterEach
  void stop() throws Exception {
    for (FetchFunction<?, ?> function : opened) {
      function.close();
    }
    server.close();
  }

  @Test
  void eachElementGetsItsResult() throws Exception {
    FetchFunction<String, Result> function = open(FetchFunction.forUrls(settings), 0);
    Recorder<Result> out = new Recorder<>();

    function.asyncInvoke(server.url("/ok/7"), out);

    Result result = out.awaitOne();
    assertThat(result.isSuccess()).isTrue();
    assertThat(result.text()).isEqualTo("7");
    assertThat(result.url()).isEqualTo(server.url("/ok/7"));
  }

  @Test
  void aBadUrlOrARequestThatCannotBeMadeIsAResult() throws Exception {
    FetchFunction<String, Result> urls = open(FetchFunction.forUrls(settings), 0);
    FetchFunction<String, Result> requests =
        open(
            FetchFunction.of(
                settings,
                line -> FetchRequest.of(line.split(" ", -1)[0], line.split(" ", -1)[1]),
                (line, result) -> result,
                BatchfetchTypes.result()),
            0);
    Recorder<Result> badUrl = new Recorder<>();
    Recorder<Result> badRequest = new Recorder<>();

    urls.asyncInvoke("not a url", badUrl);
    requests.asyncInvoke("no-space-here", badRequest);

    assertThat(badUrl.awaitOne().error()).isEqualTo(ErrorKind.INVALID_URL);
    Result unmade = badRequest.awaitOne();
    assertThat(unmade.error()).isEqualTo(ErrorKind.INVALID_REQUEST);
    assertThat(unmade.exception()).isInstanceOf(ArrayIndexOutOfBoundsException.class);
  }

  @Test
  void flinksTimeoutEndsTheElementAsATimeoutResultAndCancelsTheCall() throws Exception {
    FetchFunction<String, Result> function = open(FetchFunction.forUrls(settings), 0);
    Recorder<Result> out = new Recorder<>();
    function.asyncInvoke(server.url("/held"), out);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.heldArrivals() == 1);

    function.timeout(server.url("/held"), out);

    Result result = out.awaitOne();
    assertThat(result.error()).isEqualTo(ErrorKind.TIMEOUT);
    assertThat(result.url()).isEqualTo(server.url("/held"));
    assertThat(result.exception()).hasMessageContaining("Async I/O timeout");
    server.release(); // the cancelled call's answer, if any, completes nothing more
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> out.completions.get() == 1);
  }

  @Test
  void theMappersShapeTheOutput() throws Exception {
    FetchFunction<Integer, String> function =
        open(
            FetchFunction.of(
                settings,
                id -> FetchRequest.get(server.url("/ok/" + id)),
                (id, result) -> id + "=" + result.text(),
                org.apache.flink.api.common.typeinfo.Types.STRING),
            0);
    Recorder<String> out = new Recorder<>();

    function.asyncInvoke(42, out);

    assertThat(out.awaitOne()).isEqualTo("42=42");
    assertThat(function.getProducedType())
        .isEqualTo(org.apache.flink.api.common.typeinfo.Types.STRING);
  }

  @Test
  void theSubtasksOfAJvmShareOneFetcherClosedByTheLastToClose() throws Exception {
    FetchFunction<String, Result> first = open(FetchFunction.forUrls(settings), 0);
    FetchFunction<String, Result> second = open(FetchFunction.forUrls(settings), 1);
    FetchFunction<String, Result> other =
        open(FetchFunction.forUrls(FetchSettings.builder(RateLimit.perSecond(1)).build()), 0);
    assertThat(SharedFetchers.subtasks(settings, PARALLELISM)).isEqualTo(2);

    first.close();
    opened.remove(first);
    assertThat(SharedFetchers.subtasks(settings, PARALLELISM)).isEqualTo(1);
    Recorder<Result> out = new Recorder<>();
    second.asyncInvoke(server.url("/ok/1"), out);
    assertThat(out.awaitOne().isSuccess()).isTrue();

    second.close();
    opened.remove(second);
    assertThat(SharedFetchers.subtasks(settings, PARALLELISM)).isZero();
    assertThat(SharedFetchers.subtasks(other.settings(), PARALLELISM)).isEqualTo(1);
  }

  @Test
  void closingWithCallsInFlightCompletesNothingAfterwards() throws Exception {
    FetchFunction<String, Result> function = open(FetchFunction.forUrls(settings), 0);
    Recorder<Result> out = new Recorder<>();
    function.asyncInvoke(server.url("/held"), out);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.heldArrivals() == 1);

    function.close();
    opened.remove(function);
    server.release();

    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> out.completions.get() == 0);
  }

  private <IN, OUT> FetchFunction<IN, OUT> open(FetchFunction<IN, OUT> function, int subtask)
      throws Exception {
    function.setRuntimeContext(
        new RuntimeUDFContext(
            new TaskInfoImpl("fetch", PARALLELISM, subtask, PARALLELISM, 0),
            getClass().getClassLoader(),
            new ExecutionConfig(),
            new HashMap<>(),
            new HashMap<>(),
            UnregisteredMetricsGroup.createOperatorMetricGroup()));
    function.open(DefaultOpenContext.INSTANCE);
    opened.add(function);
    return function;
  }

  /** A {@link ResultFuture} that records what completes it. */
  private static final class Recorder<T> implements ResultFuture<T> {
    final List<T> outputs = new CopyOnWriteArrayList<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    final AtomicInteger completions = new AtomicInteger();

    @Override
    public void complete(Collection<T> result) {
      outputs.addAll(result);
      completions.incrementAndGet();
    }

    @Override
    public void completeExceptionally(Throwable error) {
      failures.add(error);
      completions.incrementAndGet();
    }

    @Override
    public void complete(CollectionSupplier<T> supplier) {
      try {
        complete(supplier.get());
      } catch (Exception e) {
        completeExceptionally(e);
      }
    }

    T awaitOne() {
      await().atMost(Duration.ofSeconds(10)).until(() -> completions.get() >= 1);
      assertThat(failures).isEmpty();
      assertThat(outputs).hasSize(1);
      return outputs.get(0);
    }
  }
}
