package dev.batchfetch.internal.batch;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import dev.batchfetch.internal.time.Ticker;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A batch of {@code fetchAll}: its inputs in an array, one result slot per input, and the future of
 * the list. Results are written by whichever thread ends the call; the last write completes the
 * future, and the atomic countdown publishes every slot to the thread that reads the list.
 */
public final class ListBatch extends Batch {
  private final @Nullable Object[] inputs;
  private final @Nullable Result[] results;
  private final AtomicInteger remaining;
  private final AtomicInteger cursor = new AtomicInteger();
  private final CompletableFuture<List<Result>> future = new CompletableFuture<>();

  /**
   * @param inputs owned by the batch from now on
   */
  public ListBatch(long id, @Nullable Object[] inputs, RequestFactory.Kind kind, Ticker ticker) {
    super(new Tally(id, inputs.length, ticker), kind);
    this.inputs = inputs;
    this.results = new Result[inputs.length];
    this.remaining = new AtomicInteger(inputs.length);
    if (inputs.length == 0) {
      tally().ended();
      future.complete(List.of());
    }
  }

  @Override
  public CompletableFuture<List<Result>> future() {
    return future;
  }

  @Override
  public int next() {
    int index = cursor.get();
    return index < inputs.length ? index : EXHAUSTED;
  }

  @Override
  public @Nullable Object input(int index) {
    return inputs[index];
  }

  @Override
  public boolean claim(int index) {
    boolean claimed = cursor.compareAndSet(index, index + 1);
    if (claimed) {
      claimed();
      inputs[index] = null; // the request now lives in its exchange; let the input go
    }
    return claimed;
  }

  @Override
  void accept(int index, Result result) {
    results[index] = result;
    if (remaining.decrementAndGet() == 0) {
      completing();
      @SuppressWarnings("NullAway") // every slot is filled once remaining reaches zero
      List<Result> all = Collections.unmodifiableList(Arrays.asList(results));
      future.complete(all);
    }
  }

  @Override
  void endUnclaimed(CancellationException cause, ErrorKind kind) {
    for (int index = cursor.get(); index < inputs.length; index = cursor.get()) {
      if (cursor.compareAndSet(index, index + 1)) {
        tally().submitted();
        fail(index, urlOf(inputs[index]), kind, cause);
      }
    }
  }
}
