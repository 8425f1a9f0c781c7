package dev.batchfetch;

/**
 * How a {@link BatchFetcher} runs its calls: one after another, on a bounded thread pool, or
 * asynchronously.
 *
 * <pre>{@code
 * ExecutionPolicy.sequential();  // one call at a time, in input order
 * ExecutionPolicy.pool(8);       // blocking calls on 8 threads
 * ExecutionPolicy.async(64);     // up to 64 calls in flight, nothing blocked while waiting
 * }</pre>
 *
 * <p>In every policy each call first passes the fetcher's rate limiter and bulkhead, and in every
 * policy a call waiting for its permit or its slot is a queued task, not a blocked thread. The
 * policy's own width (1, the thread count, or the in-flight limit) caps how many calls run at once,
 * and so does {@link BatchFetcher.Builder#maxConcurrent(int)}: whichever is lower wins.
 *
 * <p>What differs is how an admitted call runs: the sequential and pool policies run OkHttp's
 * blocking {@code execute()} on threads of the fetcher's, one per call in flight, and the exchange
 * runs on that thread; the async policy hands the call to OkHttp's {@code enqueue}, and OkHttp runs
 * the exchange on a thread of its dispatcher and completes the result from its callback. Either way
 * a call in flight holds one thread, so at equal width {@code pool(n)} and {@code async(n)} cost
 * about the same; a call waiting for its permit or slot holds none under any policy.
 *
 * <p>Instances are immutable values and thread-safe.
 */
public sealed interface ExecutionPolicy
    permits ExecutionPolicy.Sequential, ExecutionPolicy.Pool, ExecutionPolicy.Async {

  /**
   * One call at a time, in input order, each a blocking OkHttp {@code execute()} on one thread of
   * the fetcher's. The slowest policy and the simplest to reason about.
   */
  static ExecutionPolicy sequential() {
    return Sequential.INSTANCE;
  }

  /**
   * Blocking OkHttp calls on a fixed pool of {@code threads} threads owned by the fetcher.
   *
   * @throws IllegalArgumentException if {@code threads} is less than 1
   */
  static ExecutionPolicy pool(int threads) {
    return new Pool(threads);
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

  /** One call at a time. Obtain with {@link ExecutionPolicy#sequential()}. */
  enum Sequential implements ExecutionPolicy {
    /** The only instance. */
    INSTANCE;

    @Override
    public int width() {
      return 1;
    }

    @Override
    public String toString() {
      return "sequential";
    }
  }

  /**
   * Blocking calls on a bounded thread pool. Obtain with {@link ExecutionPolicy#pool(int)}.
   *
   * @param threads the number of threads, at least 1
   */
  record Pool(int threads) implements ExecutionPolicy {
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
      return "pool(" + threads + ")";
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
