package dev.batchfetch;

import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link BatchFetcher} runs its calls: one after another, on a bounded thread pool, or
 * asynchronously.
 *
 * <pre>{@code
 * ExecutionPolicy.sequential();  // one call at a time, in input order
 * ExecutionPolicy.pool(8);       // blocking calls, at most 8 at once
 * ExecutionPolicy.async(64);     // up to 64 calls in flight, nothing blocked while waiting
 *
 * // The blocking policies on an executor of yours: virtual threads (Java 21+), or one that
 * // carries your context (MDC, tracing) to the calls:
 * ExecutionPolicy.pool(Executors.newVirtualThreadPerTaskExecutor(), 256);
 * }</pre>
 *
 * <p>In every policy each call first passes the fetcher's rate limiter and bulkhead, and in every
 * policy a call waiting for its permit or its slot is a queued task, not a blocked thread. The
 * policy's own width (1, the pool's size, or the in-flight limit) caps how many calls run at once,
 * and so does {@link BatchFetcher.Builder#maxConcurrent(int)}: whichever is lower wins.
 *
 * <p>What differs is how an admitted call runs: the sequential and pool policies run OkHttp's
 * blocking {@code execute()}, one thread per call in flight, and the exchange runs on that thread;
 * the async policy hands the call to OkHttp's {@code enqueue}, and OkHttp runs the exchange on a
 * thread of its dispatcher and completes the result from its callback. Either way a call in flight
 * holds one thread, so at equal width {@code pool(n)} and {@code async(n)} cost about the same; a
 * call waiting for its permit or slot holds none under any policy.
 *
 * <p>Whose threads: by default the fetcher's work runs on threads shared by every fetcher of the
 * JVM, which end when idle for a few seconds, so a fetcher holds no thread of its own while idle.
 * The blocking policies may run their calls on an executor of yours instead ({@link
 * #sequential(Executor)}, {@link #pool(Executor, int)}); the fetcher then never has more than the
 * policy's width of calls on it at once, and never shuts it down: the executor stays yours.
 *
 * <p>Instances are immutable values and thread-safe.
 */
public sealed interface ExecutionPolicy
    permits ExecutionPolicy.Sequential, ExecutionPolicy.Pool, ExecutionPolicy.Async {

  /**
   * One call at a time, in input order, each a blocking OkHttp {@code execute()}. The slowest
   * policy and the simplest to reason about.
   */
  static ExecutionPolicy sequential() {
    return Sequential.OWN_THREADS;
  }

  /**
   * One call at a time, in input order, each a blocking OkHttp {@code execute()} on {@code
   * executor}, which the fetcher never shuts down.
   *
   * @throws NullPointerException if {@code executor} is null
   */
  static ExecutionPolicy sequential(Executor executor) {
    return new Sequential(Objects.requireNonNull(executor, "executor"));
  }

  /**
   * Blocking OkHttp calls, at most {@code threads} at once, on threads the fetcher takes from the
   * JVM's shared pool.
   *
   * @throws IllegalArgumentException if {@code threads} is less than 1
   */
  static ExecutionPolicy pool(int threads) {
    return new Pool(threads, null);
  }

  /**
   * Blocking OkHttp calls on {@code executor}, at most {@code maxConcurrent} at once: for example
   * {@code Executors.newVirtualThreadPerTaskExecutor()} on Java 21 and later, or an executor that
   * carries a context (MDC, tracing) to each call. The fetcher hands the calls to it from its own
   * threads, so the context must be the executor's own, taken when it was made (as OpenTelemetry's
   * {@code Context.current().wrap(executor)} does), not read from the thread that calls {@code
   * execute}; fetchers are cheap, so one per request of an application, on an executor carrying
   * that request's context, is fine. The fetcher never shuts the executor down. If it rejects a
   * call, that call's result is {@link ErrorKind#REJECTED}.
   *
   * @throws NullPointerException if {@code executor} is null
   * @throws IllegalArgumentException if {@code maxConcurrent} is less than 1
   */
  static ExecutionPolicy pool(Executor executor, int maxConcurrent) {
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + maxConcurrent);
    }
    return new Pool(maxConcurrent, Objects.requireNonNull(executor, "executor"));
  }

  /**
   * Asynchronous OkHttp calls ({@code enqueue}), callbacks completing the results; up to {@code
   * maxInFlight} calls in flight at once. OkHttp runs each in-flight exchange on a thread of its
   * dispatcher, so threads grow with the calls really in flight (at most {@code maxInFlight}),
   * never with the batch size or with the calls waiting for a permit.
   *
   * @throws IllegalArgumentException if {@code maxInFlight} is less than 1
   */
  static ExecutionPolicy async(int maxInFlight) {
    return new Async(maxInFlight);
  }

  /** How many calls this policy runs at once at most. */
  int width();

  /**
   * One call at a time. Obtain with {@link ExecutionPolicy#sequential()} or {@link
   * ExecutionPolicy#sequential(Executor)}.
   *
   * @param executor the user's executor the calls run on, or null for the fetcher's threads
   */
  record Sequential(@Nullable Executor executor) implements ExecutionPolicy {
    private static final Sequential OWN_THREADS = new Sequential(null);

    @Override
    public int width() {
      return 1;
    }

    @Override
    public String toString() {
      return executor == null ? "sequential" : "sequential(on " + executor + ")";
    }
  }

  /**
   * Blocking calls, a bounded number at once. Obtain with {@link ExecutionPolicy#pool(int)} or
   * {@link ExecutionPolicy#pool(Executor, int)}.
   *
   * @param threads the most calls at once, at least 1
   * @param executor the user's executor the calls run on, or null for the fetcher's threads
   */
  record Pool(int threads, @Nullable Executor executor) implements ExecutionPolicy {
    /**
     * @throws IllegalArgumentException if {@code threads} is less than 1
     */
    public Pool {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, was " + threads);
      }
    }

    @Override
    public int width() {
      return threads;
    }

    @Override
    public String toString() {
      return executor == null
          ? "pool(" + threads + ")"
          : "pool(" + threads + " on " + executor + ")";
    }
  }

  /**
   * Asynchronous calls. Obtain with {@link ExecutionPolicy#async(int)}.
   *
   * @param maxInFlight the most calls in flight at once, at least 1
   */
  record Async(int maxInFlight) implements ExecutionPolicy {
    /**
     * @throws IllegalArgumentException if {@code maxInFlight} is less than 1
     */
    public Async {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
      }
    }

    @Override
    public int width() {
      return maxInFlight;
    }

    @Override
    public String toString() {
      return "async(" + maxInFlight + ")";
    }
  }
}
