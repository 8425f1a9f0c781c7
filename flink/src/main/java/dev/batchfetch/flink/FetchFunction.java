package dev.batchfetch.flink;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ErrorKind;
import dev.batchfetch.FetchRequest;
import dev.batchfetch.Result;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink Async I/O that fetches each element of a stream with batchfetch: one {@link Result} per
 * element, within one quota for the whole job.
 *
 * <pre>{@code
 * DataStream<String> urls = ...;
 * DataStream<Result> results =
 *     AsyncFetch.unordered(urls, FetchFunction.forUrls(settings)); // or AsyncDataStream yourself
 * }</pre>
 *
 * <p><b>One fetcher per task manager.</b> The subtasks that run in one JVM share one {@link
 * BatchFetcher} (its connections, threads and limiter): the first to open builds it from the {@link
 * FetchSettings}, the last to close closes it. The quota is the whole job's: kept in Redis when the
 * settings name one, else split evenly over the operator's parallelism (see {@link FetchSettings}).
 *
 * <p><b>Every element gets one result; nothing fails the job.</b> A refused connection, a 500, a
 * quota Redis cannot give, a request the {@link RequestMapper} cannot make: each is a result that
 * says so (its {@link Result#error()}). An element still running at nine tenths of the {@linkplain
 * FetchSettings#timeout() timeout} ends as {@link ErrorKind#TIMEOUT} by the fetcher's own deadline;
 * if Flink's Async I/O timeout fires first, {@link #timeout} cancels the call and ends it as {@link
 * ErrorKind#TIMEOUT} too, never as a failed job. Only an exception of the {@link ResultMapper}
 * fails the element, as any user function's would.
 *
 * <p><b>Retries</b> are the fetcher's ({@link dev.batchfetch.RetryPolicy}, set with {@link
 * FetchSettings.Builder#fetcher}): they hear {@code Retry-After} and take their permits from the
 * same quota. Do not add Flink's {@code AsyncRetryStrategy} on top: its retries would not.
 *
 * <p><b>Delivery.</b> Flink checkpoints the elements in flight and, after a failure, sends them
 * again: a call may be made twice (at-least-once), and each element's result reaches a sink once
 * per successful checkpoint (exactly-once where the sink is transactional, such as {@code
 * FileSink}).
 *
 * <p>Shipped to the task managers by Java serialization; holds nothing but its settings and mappers
 * until opened. An instance is used by one subtask.
 *
 * @param <IN> the stream's element type
 * @param <OUT> the output element type: {@link Result}, or one of the caller's
 */
public final class FetchFunction<IN, OUT> extends RichAsyncFunction<IN, OUT>
    implements ResultTypeQueryable<OUT> {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(FetchFunction.class);

  private final FetchSettings settings;
  private final RequestMapper<IN> toRequest;
  private final ResultMapper<IN, OUT> toOutput;
  private final TypeInformation<OUT> outputType;

  private transient SharedFetchers.@Nullable Lease lease;
  private transient @Nullable Map<ResultFuture<OUT>, Call> calls;

  private FetchFunction(
      FetchSettings settings,
      RequestMapper<IN> toRequest,
      ResultMapper<IN, OUT> toOutput,
      TypeInformation<OUT> outputType) {
    this.settings = settings;
    this.toRequest = toRequest;
    this.toOutput = toOutput;
    this.outputType = outputType;
  }

  /**
   * Fetches each URL of the stream with a GET.
   *
   * @throws NullPointerException if {@code settings} is null
   */
  public static FetchFunction<String, Result> forUrls(FetchSettings settings) {
    Objects.requireNonNull(settings, "settings");
    return new FetchFunction<>(
        settings, FetchRequest::get, (url, result) -> result, BatchfetchTypes.result());
  }

  /**
   * Sends each request of the stream.
   *
   * @throws NullPointerException if {@code settings} is null
   */
  public static FetchFunction<FetchRequest, Result> forRequests(FetchSettings settings) {
    Objects.requireNonNull(settings, "settings");
    return new FetchFunction<>(
        settings, request -> request, (request, result) -> result, BatchfetchTypes.result());
  }

  /**
   * Sends the request {@code toRequest} makes of each element, and emits what {@code toOutput}
   * makes of the element and its result.
   *
   * @param outputType the output's type information: {@link BatchfetchTypes#result()} for {@link
   *     Result}, {@code Types.POJO(...)}, {@code TypeInformation.of(...)} for the caller's own
   * @throws NullPointerException if an argument is null
   */
  public static <IN, OUT> FetchFunction<IN, OUT> of(
      FetchSettings settings,
      RequestMapper<IN> toRequest,
      ResultMapper<IN, OUT> toOutput,
      TypeInformation<OUT> outputType) {
    return new FetchFunction<>(
        Objects.requireNonNull(settings, "settings"),
        Objects.requireNonNull(toRequest, "toRequest"),
        Objects.requireNonNull(toOutput, "toOutput"),
        Objects.requireNonNull(outputType, "outputType"));
  }

  /** The settings this function was made with. */
  public FetchSettings settings() {
    return settings;
  }

  /** Takes this task manager's fetcher, building it if this is the first subtask to open. */
  @Override
  public void open(OpenContext openContext) throws Exception {
    int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
    calls = new ConcurrentHashMap<>();
    lease = SharedFetchers.acquire(settings, parallelism);
  }

  /** Sends the element's request; its result completes {@code resultFuture}, once. */
  @Override
  public void asyncInvoke(IN element, ResultFuture<OUT> resultFuture) {
    SharedFetchers.Lease held = lease;
    Map<ResultFuture<OUT>, Call> running = calls;
    if (held == null || running == null) {
      throw new IllegalStateException("asyncInvoke before open");
    }
    long started = System.nanoTime();
    FetchRequest request;
    try {
      request = toRequest.toRequest(element);
      Objects.requireNonNull(request, "the request mapper returned null");
    } catch (RuntimeException e) {
      complete(element, resultFuture, failed(null, ErrorKind.INVALID_REQUEST, e, started));
      return;
    }
    Call call = new Call(request, started);
    running.put(resultFuture, call);
    CompletableFuture<List<Result>> future;
    try {
      future = held.fetcher().fetchAllRequests(List.of(request));
    } catch (RuntimeException e) { // the fetcher is closed: this subtask is going away
      finish(element, resultFuture, call, failed(request.url(), ErrorKind.REJECTED, e, started));
      return;
    }
    call.future = future;
    if (call.done.get()) { // Flink's timeout came first
      future.cancel(false);
    }
    CompletableFuture<?> unused =
        future.whenComplete(
            (results, error) ->
                finish(
                    element,
                    resultFuture,
                    call,
                    error == null
                        ? results.get(0)
                        : failed(request.url(), kindOf(error), unwrap(error), started)));
  }

  /**
   * Flink's Async I/O timeout: cancels the element's call and ends it as {@link ErrorKind#TIMEOUT},
   * rather than failing the job as Flink's default does.
   */
  @Override
  public void timeout(IN element, ResultFuture<OUT> resultFuture) {
    Map<ResultFuture<OUT>, Call> running = calls;
    Call call = running == null ? null : running.get(resultFuture);
    long started = call == null ? System.nanoTime() : call.started;
    String url = call == null ? null : call.request.url();
    TimeoutException timeout =
        new TimeoutException(
            "no result within the Async I/O timeout of " + settings.timeout().toMillis() + " ms");
    if (call == null) {
      complete(element, resultFuture, failed(url, ErrorKind.TIMEOUT, timeout, started));
      return;
    }
    if (finish(element, resultFuture, call, failed(url, ErrorKind.TIMEOUT, timeout, started))) {
      CompletableFuture<List<Result>> future = call.future;
      if (future != null) {
        future.cancel(false); // cancels the batch, and with it the call
      }
    }
  }

  /**
   * Lets go of this task manager's fetcher, closing it if this is the last subtask to close. Calls
   * still running (the job failed or was cancelled) are cancelled; Flink sends their elements again
   * after a restore.
   */
  @Override
  public void close() throws Exception {
    Map<ResultFuture<OUT>, Call> running = calls;
    if (running != null) {
      for (Call call : running.values()) {
        if (call.done.compareAndSet(false, true)) {
          CompletableFuture<List<Result>> future = call.future;
          if (future != null) {
            future.cancel(false);
          }
        }
      }
      running.clear();
    }
    SharedFetchers.Lease held = lease;
    lease = null;
    if (held != null) {
      held.close();
    }
  }

  @Override
  public TypeInformation<OUT> getProducedType() {
    return outputType;
  }

  /** Completes the element with {@code result} if nothing did before; true if this did. */
  private boolean finish(IN element, ResultFuture<OUT> resultFuture, Call call, Result result) {
    if (!call.done.compareAndSet(false, true)) {
      return false;
    }
    Map<ResultFuture<OUT>, Call> running = calls;
    if (running != null) {
      running.remove(resultFuture);
    }
    complete(element, resultFuture, result);
    return true;
  }

  private void complete(IN element, ResultFuture<OUT> resultFuture, Result result) {
    OUT output;
    try {
      output = toOutput.toOutput(element, result);
    } catch (RuntimeException | Error e) {
      resultFuture.completeExceptionally(e);
      return;
    }
    try {
      resultFuture.complete(List.of(output));
    } catch (RuntimeException e) { // the operator is closing; its elements will be replayed
      log.debug("batchfetch: result of {} dropped: the operator is closing", result.url(), e);
    }
  }

  private static Result failed(
      @Nullable String url, ErrorKind kind, Throwable cause, long startedNanos) {
    return new Result(
        0,
        url,
        0,
        Map.of(),
        new byte[0],
        Duration.ofNanos(System.nanoTime() - startedNanos),
        0,
        Duration.ZERO,
        kind,
        cause);
  }

  private static ErrorKind kindOf(Throwable error) {
    Throwable cause = unwrap(error);
    return cause instanceof CancellationException ? ErrorKind.CANCELLED : ErrorKind.UNEXPECTED;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** One element's call: its request, when it started, its future, and whether it is done. */
  private static final class Call {
    final FetchRequest request;
    final long started;
    final AtomicBoolean done = new AtomicBoolean();
    volatile @Nullable CompletableFuture<List<Result>> future;

    Call(FetchRequest request, long started) {
      this.request = request;
      this.started = started;
    }
  }
}
