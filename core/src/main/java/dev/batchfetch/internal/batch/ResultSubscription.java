package dev.batchfetch.internal.batch;

import dev.batchfetch.BatchSummary;
import dev.batchfetch.Result;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One subscription to a fetcher's results publisher: a streamed batch whose deliveries follow the
 * subscriber's demand. Without demand, results wait, then the batch's calls stop starting, then it
 * stops reading its input: the subscriber's pace is the batch's pace. Cancelling cancels the batch.
 */
public final class ResultSubscription implements Flow.Subscription, StreamBatch.Sink {
  /** Makes and runs the streamed batch of one subscription: the fetcher's side. */
  public interface Runner {
    /**
     * A streamed batch of the publisher's inputs that delivers to {@code sink}.
     *
     * @throws RuntimeException if the fetcher is closed, or the inputs cannot even iterate
     */
    StreamBatch stream(StreamBatch.Sink sink);

    /** Starts {@code batch}; its future is the batch's. */
    CompletableFuture<BatchSummary> run(StreamBatch batch);
  }

  private final Flow.Subscriber<? super Result> subscriber;
  private final AtomicLong demand = new AtomicLong();
  private final AtomicBoolean terminated = new AtomicBoolean();
  private volatile @Nullable StreamBatch batch;

  private ResultSubscription(Flow.Subscriber<? super Result> subscriber) {
    this.subscriber = subscriber;
  }

  /** Subscribes {@code subscriber} to a new streamed batch that {@code runner} makes and runs. */
  public static void subscribe(Runner runner, Flow.Subscriber<? super Result> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    ResultSubscription subscription = new ResultSubscription(subscriber);
    StreamBatch stream;
    try {
      stream = runner.stream(subscription);
    } catch (RuntimeException e) { // closed fetcher, or an input that cannot even iterate
      subscriber.onSubscribe(subscription);
      subscription.terminate(e);
      return;
    }
    subscription.batch = stream;
    subscriber.onSubscribe(subscription);
    CompletableFuture<BatchSummary> future = runner.run(stream);
    var unused = future.whenComplete((summary, failure) -> subscription.terminate(failure));
  }

  @Override
  public void request(long n) {
    if (n <= 0) { // rule 3.9 of the Reactive Streams specification
      terminate(new IllegalArgumentException("request must be positive, was " + n));
      StreamBatch stream = batch;
      if (stream != null) {
        stream.future().cancel(false);
      }
      return;
    }
    demand.accumulateAndGet(
        n, (current, added) -> current + added < 0 ? Long.MAX_VALUE : current + added);
    StreamBatch stream = batch;
    if (stream != null) {
      stream.resume();
    }
  }

  @Override
  public void cancel() {
    if (terminated.compareAndSet(false, true)) {
      StreamBatch stream = batch;
      if (stream != null) {
        stream.future().cancel(false);
      }
    }
  }

  @Override
  public boolean ready() {
    return demand.get() > 0 && !terminated.get();
  }

  @Override
  public void accept(Result result) {
    demand.getAndUpdate(current -> current == Long.MAX_VALUE ? current : current - 1);
    subscriber.onNext(result);
  }

  /** Sends the terminal signal, once: after the last result, or instead of any. */
  private void terminate(@Nullable Throwable failure) {
    if (!terminated.compareAndSet(false, true)) {
      return;
    }
    if (failure == null) {
      subscriber.onComplete();
    } else if (!(failure instanceof CancellationException)) {
      subscriber.onError(
          failure instanceof CompletionException c && c.getCause() != null
              ? c.getCause()
              : failure);
    }
  }
}
