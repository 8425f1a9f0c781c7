package dev.batchfetch.internal;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.FetchRequest;
import dev.batchfetch.Result;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One call of {@code fetchAll}: its inputs, one result slot per input, and the future the caller
 * holds.
 *
 * <p>Inputs are handed out in order through {@link #claim(int)}; an index can be claimed once, by
 * the admission loop (to send it) or by {@link #stop} (to reject it), so every input yields exactly
 * one result. Results are written by whichever thread ends the call; the last write completes the
 * future, and the atomic countdown publishes every slot to the thread that reads the list.
 */
final class Batch {
  private static final byte[] NO_BODY = new byte[0];

  private final @Nullable Object[] inputs;
  private final RequestFactory requests;
  private final @Nullable Result[] results;
  private final AtomicInteger remaining;
  private final AtomicInteger cursor = new AtomicInteger();
  private final Set<Exchange> active = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<List<Result>> future = new CompletableFuture<>();

  /** The input at {@link #preparedIndex}, already prepared; touched by the admission loop only. */
  private @Nullable Prepared prepared;

  private int preparedIndex = -1;

  Batch(@Nullable Object[] inputs, RequestFactory requests) {
    this.inputs = inputs;
    this.requests = requests;
    this.results = new Result[inputs.length];
    this.remaining = new AtomicInteger(inputs.length);
    if (inputs.length == 0) {
      future.complete(List.of());
    }
  }

  CompletableFuture<List<Result>> future() {
    return future;
  }

  /** Whether this batch ended: every result in, or the caller cancelled the future. */
  boolean isDone() {
    return future.isDone();
  }

  /** The next index to hand out, or -1 when every input has been handed out. */
  int next() {
    int index = cursor.get();
    return index < inputs.length ? index : -1;
  }

  /** The input at {@code index} as a request; cached, since admission may ask again later. */
  Prepared prepare(int index) {
    Prepared p = prepared;
    if (preparedIndex != index || p == null) {
      p = requests.prepare(index, inputs[index]);
      prepared = p;
      preparedIndex = index;
    }
    return p;
  }

  /** Takes {@code index} for sending; false if it was taken already (the batch stopped). */
  boolean claim(int index) {
    boolean claimed = cursor.compareAndSet(index, index + 1);
    if (claimed) {
      prepared = null;
      inputs[index] = null; // the request now lives in its exchange; let the input go
    }
    return claimed;
  }

  void track(Exchange exchange) {
    active.add(exchange);
  }

  void untrack(Exchange exchange) {
    active.remove(exchange);
  }

  /** Records the result of {@code index}; the last one completes the future. */
  void complete(int index, Result result) {
    results[index] = result;
    if (remaining.decrementAndGet() == 0) {
      @SuppressWarnings("NullAway") // every slot is filled once remaining reaches zero
      List<Result> all = Collections.unmodifiableList(Arrays.asList(results));
      future.complete(all);
    }
  }

  void fail(int index, @Nullable String url, ErrorKind kind, @Nullable Throwable exception) {
    complete(
        index,
        new Result(
            index, url, 0, Map.of(), NO_BODY, Duration.ZERO, 0, Duration.ZERO, kind, exception));
  }

  /**
   * Ends this batch early: inputs not yet handed out become {@code REJECTED} results, calls in
   * flight are cancelled and become {@code CANCELLED} results. Safe from any thread, idempotent.
   */
  void stop(String reason) {
    CancellationException cause = new CancellationException(reason);
    for (int index = cursor.get(); index < inputs.length; index = cursor.get()) {
      if (cursor.compareAndSet(index, index + 1)) {
        Object input = inputs[index];
        fail(index, input instanceof String s ? s : urlOf(input), ErrorKind.REJECTED, cause);
      }
    }
    for (Exchange exchange : active) {
      exchange.cancel(cause);
    }
  }

  private static @Nullable String urlOf(@Nullable Object input) {
    return input instanceof FetchRequest r ? r.url() : null;
  }
}
