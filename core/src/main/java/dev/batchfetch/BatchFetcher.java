package dev.batchfetch;

import dev.batchfetch.internal.Engine;
import dev.batchfetch.internal.Hooks;
import dev.batchfetch.internal.Settings;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Fetches batches of URLs, one {@link Result} per URL, as fast as the configured policy, rate limit
 * and concurrency allow, and never faster.
 *
 * <pre>{@code
 * // One line, for a one-off batch:
 * List<Result> results = BatchFetcher.async(64).fetchAll(urls).join();
 *
 * // Tuned to a server's quota of 300 calls a minute, at most 16 at once, and closed when done:
 * try (BatchFetcher fetcher = BatchFetcher.builder()
 *     .policy(ExecutionPolicy.async(64))
 *     .rateLimit(RateLimit.perMinute(300))
 *     .maxConcurrent(16)
 *     .build()) {
 *   List<Result> results = fetcher.fetchAll(urls).join();
 * }
 * }</pre>
 *
 * <h2>Should I share a fetcher?</h2>
 *
 * Yes: a fetcher is thread-safe and meant to be reused across batches. Its rate limiter and
 * bulkhead belong to the fetcher, not to a batch, so two batches in a row (or at once) share one
 * quota; its connections and threads are reused too. Create one per server quota and keep it.
 *
 * <h2>What does a batch promise?</h2>
 *
 * <ul>
 *   <li>{@code fetchAll} returns at once, whatever the batch size and the quota; the work happens
 *       on the fetcher's threads.
 *   <li>The future completes with exactly one result per input, in input order, duplicates
 *       included. A malformed URL, a refused connection, a timeout or a 500 is a result that says
 *       so, never an exception; the future fails only when the caller misuses or cancels it.
 *   <li>Cancelling the returned future cancels the batch's queued and in-flight calls. (Cancelling
 *       a future derived from it, with {@code thenApply} and the like, does not.)
 *   <li>Batches are served in the order they were submitted.
 *   <li>The future is completed on one of the fetcher's threads: chain heavy or blocking work with
 *       the {@code *Async} methods of {@link CompletableFuture}, not on that thread.
 * </ul>
 *
 * <h2>How does it stay inside a quota?</h2>
 *
 * With nothing configured, it learns each host's quota ({@link Builder#quotaDiscovery quota
 * discovery}, on by default): a host starts with a few calls in flight, more with each answer,
 * until its server shows a sign of a quota (a 429, a 503 with {@code Retry-After}, or quota
 * headers); from then on the host is paced at the rate the server accepts, which the fetcher
 * measures, and a refused call is tried again at that pace, not counted as a failed attempt.
 *
 * <p>Every call also passes the fetcher's global rate limiters and bulkhead, and those of its host
 * ({@link Builder#perHost}, {@link Builder#host}): a ceiling that discovery never exceeds. Permits
 * are spread evenly, as servers' buckets expect ({@link RateLimit}). When a server says "wait" (a
 * 429 or 503 with {@code Retry-After}, or quota headers with nothing remaining), the fetcher pauses
 * that host, and only that host, and tries the call again as a new admission ({@link RetryPolicy}).
 * A host waiting for its quota never holds up the others.
 *
 * <h2>Threads, connections and closing</h2>
 *
 * A fetcher owns no thread: its work (the policy's calls, OkHttp's dispatcher, timers, a streamed
 * batch's input and deliveries) runs on daemon threads shared by every fetcher of the JVM, at most
 * the fetcher's width of calls at once, and those threads end when idle for a few seconds. An idle
 * fetcher therefore holds no thread, and the one-liner above, called in a loop, keeps the JVM's
 * thread count at about the policy's width. Fetchers without a {@link Builder#client client} of the
 * user's share one OkHttp connection pool too, so they reuse each other's connections.
 *
 * <p>A fetcher nobody references any more is {@link #shutdown() shut down} by itself: the batches
 * it still runs end as they would have, then its resources go. {@link #close()} releases them at
 * once, ending what still runs; {@link #shutdown()} and {@link #awaitTermination} let the running
 * batches finish first.
 *
 * <h2>What if the URLs do not fit in a list?</h2>
 *
 * {@link #fetchEach(Iterable, Consumer)} reads its input lazily and hands each result to a consumer
 * as it completes; {@link #publisher(Iterable)} gives them as a {@link Flow.Publisher}. Memory then
 * grows with the calls in flight, not with the input.
 */
public final class BatchFetcher implements AutoCloseable {
  private final Engine engine;
  private final Settings settings;
  private final Cleaner.Cleanable cleanable;

  private BatchFetcher(Settings settings) {
    this.engine = new Engine(settings);
    this.settings = settings;
    // Nothing the engine's threads, timers or callbacks hold refers back to this object, so a
    // fetcher nobody references becomes unreachable even while its last batch runs; the cleaner
    // then shuts it down gently: that batch still ends as it would have.
    this.cleanable = Engine.cleaner().register(this, new ShutDown(engine));
  }

  /** The cleaning action: must not refer to the fetcher, or it would never become unreachable. */
  private static final class ShutDown implements Runnable {
    private final Engine engine;

    ShutDown(Engine engine) {
      this.engine = engine;
    }

    @Override
    public void run() {
      engine.shutdown();
    }
  }

  /** A fetcher that runs one call at a time, with no rate limit. */
  public static BatchFetcher sequential() {
    return builder().policy(ExecutionPolicy.sequential()).build();
  }

  /**
   * A fetcher that runs blocking calls on {@code threads} threads, with no rate limit.
   *
   * @throws IllegalArgumentException if {@code threads} is less than 1
   */
  public static BatchFetcher pool(int threads) {
    return builder().policy(ExecutionPolicy.pool(threads)).build();
  }

  /**
   * A fetcher that keeps up to {@code maxInFlight} asynchronous calls in flight, with no rate
   * limit.
   *
   * @throws IllegalArgumentException if {@code maxInFlight} is less than 1
   */
  public static BatchFetcher async(int maxInFlight) {
    return builder().policy(ExecutionPolicy.async(maxInFlight)).build();
  }

  /** A builder with the defaults: {@code async(64)}, no rate limit, OkHttp's timeouts. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Fetches every URL with a GET. Returns at once.
   *
   * @param urls absolute {@code http} or {@code https} URLs; a malformed or null element yields a
   *     result of kind {@link ErrorKind#INVALID_URL}. The list is copied: later changes to it do
   *     not affect the batch.
   * @return a future of one result per URL, in the order of {@code urls}
   * @throws NullPointerException if {@code urls} is null
   * @throws IllegalStateException if this fetcher is closed or shut down
   */
  public CompletableFuture<List<Result>> fetchAll(List<String> urls) {
    Objects.requireNonNull(urls, "urls");
    try {
      return engine.submit(urls.toArray(), engine.urls());
    } finally {
      Reference.reachabilityFence(this); // not cleaned up while submitting
    }
  }

  /**
   * Sends every request. Returns at once.
   *
   * @param requests the requests; a null element yields a result of kind {@link
   *     ErrorKind#INVALID_URL}. The list is copied: later changes to it do not affect the batch.
   * @return a future of one result per request, in the order of {@code requests}
   * @throws NullPointerException if {@code requests} is null
   * @throws IllegalStateException if this fetcher is closed or shut down
   */
  public CompletableFuture<List<Result>> fetchAllRequests(List<FetchRequest> requests) {
    Objects.requireNonNull(requests, "requests");
    try {
      return engine.submit(requests.toArray(), engine.requests());
    } finally {
      Reference.reachabilityFence(this); // not cleaned up while submitting
    }
  }

  /**
   * Fetches every URL with a GET, reading {@code urls} lazily and handing each result to {@code
   * onResult} as it completes; returns at once. For inputs too many to hold in a list, or results
   * too big to keep: memory grows with the calls in flight, not with the input.
   *
   * <pre>{@code
   * BatchSummary summary = fetcher.fetchEach(urls, result -> store(result)).join();
   * }</pre>
   *
   * <p>{@code urls} is iterated once, a little ahead of the calls (at most 10,000 inputs are out at
   * once: read and not yet delivered), on an input thread of the fetcher's, one at a time: a source
   * that is slow, or blocks in {@code next()}, holds up its own batch and nothing else, neither
   * other batches nor deadlines. {@code onResult} is called once per input read, in completion
   * order (see {@link Result#index()} for the input's position), one call at a time, on a delivery
   * thread of the fetcher's; while it is slower than the network, the fetcher starts fewer calls,
   * then reads no further, rather than buffer results without bound.
   *
   * <p>The future completes with a summary once the input is exhausted and every result has been
   * delivered. It fails with what {@code urls}' iterator throws, an {@link Error} included (the
   * inputs read before still get their results first), or with what {@code onResult} throws (the
   * batch then stops at once and nothing more is delivered). Cancelling it stops reading the input,
   * cancels the calls in flight and delivers nothing more; it does not wait for a source blocked in
   * {@code next()}, and an input the source returns after the batch stopped is not part of it.
   *
   * @param urls absolute {@code http} or {@code https} URLs; a malformed or null element yields a
   *     result of kind {@link ErrorKind#INVALID_URL}
   * @param onResult receives every result; need not be thread-safe
   * @return a future of the batch's summary
   * @throws NullPointerException if {@code urls} or {@code onResult} is null
   * @throws IllegalStateException if this fetcher is closed or shut down
   */
  public CompletableFuture<BatchSummary> fetchEach(
      Iterable<String> urls, Consumer<? super Result> onResult) {
    Objects.requireNonNull(urls, "urls");
    Objects.requireNonNull(onResult, "onResult");
    try {
      return engine.submitEach(urls, engine.urls(), onResult);
    } finally {
      Reference.reachabilityFence(this); // not cleaned up while submitting
    }
  }

  /**
   * Fetches every URL of {@code urls}, as {@link #fetchEach(Iterable, Consumer)} does: the stream
   * is consumed lazily, once, on an input thread of the fetcher's. The caller closes it, after the
   * batch is done.
   *
   * <pre>{@code
   * try (Stream<String> lines = Files.lines(Path.of("urls.txt"))) {
   *   BatchSummary summary = fetcher.fetchEach(lines, result -> write(result)).join();
   * }
   * }</pre>
   *
   * @throws NullPointerException if {@code urls} or {@code onResult} is null
   * @throws IllegalStateException if this fetcher is closed or shut down
   */
  public CompletableFuture<BatchSummary> fetchEach(
      Stream<String> urls, Consumer<? super Result> onResult) {
    Objects.requireNonNull(urls, "urls");
    Objects.requireNonNull(onResult, "onResult");
    try {
      return engine.submitEach(once(urls), engine.urls(), onResult);
    } finally {
      Reference.reachabilityFence(this); // not cleaned up while submitting
    }
  }

  /**
   * Sends every request, as {@link #fetchEach(Iterable, Consumer)} fetches every URL: read lazily,
   * each result handed to {@code onResult} as it completes.
   *
   * @param requests the requests; a null element yields a result of kind {@link
   *     ErrorKind#INVALID_URL}
   * @param onResult receives every result; need not be thread-safe
   * @return a future of the batch's summary
   * @throws NullPointerException if {@code requests} or {@code onResult} is null
   * @throws IllegalStateException if this fetcher is closed or shut down
   */
  public CompletableFuture<BatchSummary> fetchEachRequest(
      Iterable<FetchRequest> requests, Consumer<? super Result> onResult) {
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(onResult, "onResult");
    try {
      return engine.submitEach(requests, engine.requests(), onResult);
    } finally {
      Reference.reachabilityFence(this); // not cleaned up while submitting
    }
  }

  /**
   * Sends every request of {@code requests}, as {@link #fetchEach(Stream, Consumer)} fetches every
   * URL of a stream.
   *
   * @throws NullPointerException if {@code requests} or {@code onResult} is null
   * @throws IllegalStateException if this fetcher is closed or shut down
   */
  public CompletableFuture<BatchSummary> fetchEachRequest(
      Stream<FetchRequest> requests, Consumer<? super Result> onResult) {
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(onResult, "onResult");
    try {
      return engine.submitEach(once(requests), engine.requests(), onResult);
    } finally {
      Reference.reachabilityFence(this); // not cleaned up while submitting
    }
  }

  @SuppressWarnings("StreamToIterable") // iterated once, by the batch
  private static <T> Iterable<T> once(Stream<T> stream) {
    return stream::iterator;
  }

  /**
   * The results of {@code urls} as a {@link Flow.Publisher}: each subscription runs a streamed
   * batch as {@link #fetchEach(Iterable, Consumer)} does, whose pace follows the subscriber's
   * demand (without demand, results wait, calls stop starting, then the input stops being read).
   * {@code onComplete} follows the last result; {@code onError} carries the iterator's exception;
   * cancelling the subscription cancels the batch. Subscribing twice iterates {@code urls} twice.
   *
   * @throws NullPointerException if {@code urls} is null
   */
  public Flow.Publisher<Result> publisher(Iterable<String> urls) {
    Objects.requireNonNull(urls, "urls");
    return new Retaining(this, engine.publisher(urls, engine.urls()));
  }

  /**
   * The results of {@code requests} as a {@link Flow.Publisher}, as {@link #publisher} gives those
   * of URLs.
   *
   * @throws NullPointerException if {@code requests} is null
   */
  public Flow.Publisher<Result> publisherOfRequests(Iterable<FetchRequest> requests) {
    Objects.requireNonNull(requests, "requests");
    return new Retaining(this, engine.publisher(requests, engine.requests()));
  }

  /** A publisher that keeps its fetcher reachable, so that it is not cleaned up under it. */
  private static final class Retaining implements Flow.Publisher<Result> {
    private final BatchFetcher fetcher;
    private final Flow.Publisher<Result> publisher;

    Retaining(BatchFetcher fetcher, Flow.Publisher<Result> publisher) {
      this.fetcher = fetcher;
      this.publisher = publisher;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Result> subscriber) {
      try {
        publisher.subscribe(subscriber);
      } finally {
        Reference.reachabilityFence(fetcher);
      }
    }
  }

  /** The execution policy this fetcher was built with. */
  public ExecutionPolicy policy() {
    return settings.policy();
  }

  /**
   * The rate limit shared by every batch of this fetcher, the first of {@link #rateLimits()};
   * {@link RateLimit#unlimited()} when it was built with a {@link Builder#rateLimiter rate limiter}
   * of the user's, which then sets the pace.
   */
  public RateLimit rateLimit() {
    return settings.rateLimit();
  }

  /**
   * Every rate limit shared by every batch of this fetcher, each kept on its own: one, unless it
   * was built with several ({@link Builder#rateLimit(RateLimit, RateLimit, RateLimit...)}).
   * Immutable.
   */
  public List<RateLimit> rateLimits() {
    return settings.rateLimits();
  }

  /**
   * The rates quota discovery has learned, calls per second by host ({@code name:port}), of the
   * hosts it paces now: slowest first, at most 100; empty when no host has shown a sign of a quota,
   * or with discovery off. Immutable: a snapshot. Thread-safe.
   */
  public Map<String, Double> learnedRates() {
    return engine.learnedRates();
  }

  /** The most calls in flight at once: the bulkhead's size, never more than the policy's width. */
  public int maxConcurrent() {
    return settings.maxConcurrent();
  }

  /** The OkHttp client this fetcher derived for itself. For tests and diagnostics. */
  OkHttpClient client() {
    return engine.client();
  }

  /**
   * Connections this fetcher holds: in use by its calls, or idle in a pool of its own (with a
   * {@link Builder#client client} of the user's). For tests and diagnostics.
   */
  int connectionsHeld() {
    return engine.connectionsHeld();
  }

  /** Threads running this fetcher's work at the moment. For tests and diagnostics. */
  int activeThreads() {
    return engine.activeThreads();
  }

  /** This fetcher's name, {@code batchfetch-N}: every thread it starts has a name starting so. */
  public String name() {
    return engine.name();
  }

  /**
   * Closes this fetcher. Batches still running complete at once: inputs taken but not yet started
   * become {@link ErrorKind#REJECTED} results and calls in flight are cancelled and become {@link
   * ErrorKind#CANCELLED} results, so every future still completes with one result per input (a
   * streamed batch delivers these results, reads no more of its input, and completes its summary).
   * A response is closed only once its input has its result (or its retry is planned): a close that
   * comes after a response's body was closed, as an interceptor of the client may watch, never
   * turns it into a {@code CANCELLED} result. Then the fetcher's threads stop (this waits up to ten
   * seconds for them, and for a streamed batch's consumer to return) and its connections close.
   *
   * <p>Idempotent and safe from any thread, one of the fetcher's own included (from a callback, it
   * finishes on a thread of its own instead of waiting for the one it runs on). After it, {@code
   * fetchAll} and the other entry points throw {@link IllegalStateException}. A user's client given
   * to {@link Builder#client} is not affected.
   */
  @Override
  public void close() {
    engine.close();
    cleanable.clean(); // nothing left to clean: the engine is closed
  }

  /**
   * Stops taking batches and lets the running ones finish: every entry point throws {@link
   * IllegalStateException} from now on, while the batches already submitted (and the subscriptions
   * of publishers already made) run to their end as if nothing happened. Once the last one ends,
   * the fetcher lets its threads go and closes its connections. Returns at once; see {@link
   * #awaitTermination} to wait, and {@link #close()} to end the running batches too.
   *
   * <p>Idempotent and safe from any thread. A fetcher nobody references any more is shut down so by
   * itself.
   */
  public void shutdown() {
    engine.shutdown();
  }

  /**
   * Waits until, after {@link #shutdown()} or {@link #close()}, the last batch has ended and no
   * thread runs this fetcher's work any more, or {@code timeout} has passed.
   *
   * @return true if the fetcher terminated, false if the timeout passed first
   * @throws NullPointerException if {@code timeout} is null
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return engine.awaitTermination(timeout);
  }

  /** Whether {@link #shutdown()} or {@link #close()} was called: no new batch is taken. */
  public boolean isShutdown() {
    return engine.isShutdown();
  }

  /** Whether the fetcher shut down, its last batch ended, and no thread runs its work any more. */
  public boolean isTerminated() {
    return engine.isTerminated();
  }

  @Override
  public String toString() {
    return "BatchFetcher{"
        + engine.name()
        + ", "
        + settings.policy()
        + ", rateLimit="
        + (settings.rateLimits().size() == 1 ? settings.rateLimit() : settings.rateLimits())
        + (settings.quotaDiscovery() ? "" : ", quotaDiscovery=false")
        + ", maxConcurrent="
        + settings.maxConcurrent()
        + "}";
  }

  /**
   * Configures a {@link BatchFetcher}. Not thread-safe; {@link #build()} copies the configuration,
   * so a built fetcher never changes when the builder does, and one builder can build many
   * fetchers.
   */
  public static final class Builder {
    private final Settings.Builder settings = Settings.builder();

    private Builder() {
      settings.defaultHeader("User-Agent", "batchfetch/" + Version.VERSION);
    }

    /**
     * How calls run; default {@code async(64)}.
     *
     * @throws NullPointerException if {@code policy} is null
     */
    public Builder policy(ExecutionPolicy policy) {
      settings.policy(Objects.requireNonNull(policy, "policy"));
      return this;
    }

    /**
     * The quota every call of this fetcher shares, all hosts together; default {@link
     * RateLimit#unlimited()}. Replaces the limits set before, and a {@link #rateLimiter} of the
     * user's.
     *
     * @throws NullPointerException if {@code rateLimit} is null
     */
    public Builder rateLimit(RateLimit rateLimit) {
      settings.rateLimit(Objects.requireNonNull(rateLimit, "rateLimit"));
      return this;
    }

    /**
     * A quota of several limits that every call of this fetcher shares, all hosts together, each
     * kept on its own: a call waits until every one allows it. {@code
     * rateLimit(RateLimit.perSecond(10), RateLimit.perHour(5_000).withBurst(4_999))} sends at most
     * 10 calls a second and 5,000 in any hour. Replaces the limits set before, and a {@link
     * #rateLimiter} of the user's.
     *
     * @throws NullPointerException if {@code first}, {@code second}, {@code more} or an element of
     *     it is null
     */
    public Builder rateLimit(RateLimit first, RateLimit second, RateLimit... more) {
      Objects.requireNonNull(more, "more");
      List<RateLimit> all = new ArrayList<>(2 + more.length);
      all.add(Objects.requireNonNull(first, "first"));
      all.add(Objects.requireNonNull(second, "second"));
      for (RateLimit limit : more) {
        all.add(Objects.requireNonNull(limit, "more[i]"));
      }
      settings.rateLimits(all);
      return this;
    }

    /**
     * A rate limiter of your own in place of {@link #rateLimit}, for every call of this fetcher: a
     * quota shared by many processes, kept in Redis by {@code batchfetch-redis} for example.
     *
     * <p>The fetcher reserves one permit per attempt with {@link RateLimiter#reservePermission()},
     * on a thread of its own (never on its admission thread, since the answer may take a network
     * round trip), and waits the nanoseconds it answers with a timer, holding no thread. A negative
     * answer (no permit within the limiter's timeout) makes it ask again shortly after. If the
     * limiter throws, that input ends as {@link ErrorKind#QUOTA_UNAVAILABLE} without being sent.
     * {@link RateLimiter#drainPermissions()} is called when a server answers 429 without saying how
     * long to wait. The fetcher's own schedule adjustments (for requests that leave late, for
     * {@code Retry-After}) do not apply to it.
     *
     * @throws NullPointerException if {@code limiter} is null
     */
    public Builder rateLimiter(RateLimiter limiter) {
      settings.rateLimiter(Objects.requireNonNull(limiter, "limiter"));
      return this;
    }

    /**
     * Rate limiters of your own for hosts, in place of the rate of {@link #perHost} and {@link
     * #host}, whose concurrency limits still apply: {@code limiterForHost} is given a host's key,
     * {@code "name:port"}, the first time the fetcher meets the host (again after the host was idle
     * a while), and returns its limiter, asked as {@link #rateLimiter} describes, or null for the
     * host to keep the rate of its {@link HostLimits}.
     *
     * @throws NullPointerException if {@code limiterForHost} is null
     */
    public Builder hostRateLimiters(
        Function<String, ? extends @Nullable RateLimiter> limiterForHost) {
      settings.hostRateLimiters(Objects.requireNonNull(limiterForHost, "limiterForHost"));
      return this;
    }

    /**
     * The most calls in flight at once (the bulkhead); default and cap: the policy's width.
     *
     * @throws IllegalArgumentException if {@code maxConcurrent} is less than 1
     */
    public Builder maxConcurrent(int maxConcurrent) {
      if (maxConcurrent < 1) {
        throw new IllegalArgumentException(
            "maxConcurrent must be at least 1, was " + maxConcurrent);
      }
      settings.maxConcurrent(maxConcurrent);
      return this;
    }

    /**
     * The limits every host gets, under the global {@link #rateLimit} and {@link #maxConcurrent};
     * default {@link HostLimits#unlimited()}. A host is a name and a port.
     *
     * @throws NullPointerException if {@code limits} is null
     */
    public Builder perHost(HostLimits limits) {
      settings.perHost(Objects.requireNonNull(limits, "limits"));
      return this;
    }

    /**
     * The limits of one host, instead of {@link #perHost}: {@code "api.example.com"} for every port
     * of that name, {@code "api.example.com:8443"} for one port, which wins over the name alone.
     *
     * @throws NullPointerException if {@code host} or {@code limits} is null
     * @throws IllegalArgumentException if {@code host} is empty or has a scheme or a path
     */
    public Builder host(String host, HostLimits limits) {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(limits, "limits");
      if (host.isEmpty() || host.contains("/")) {
        throw new IllegalArgumentException(
            "host must be a name or name:port, without scheme or path, was \"" + host + "\"");
      }
      settings.host(host.toLowerCase(Locale.ROOT), limits);
      return this;
    }

    /**
     * When and how failed calls are tried again; default {@link RetryPolicy#defaults()} (three
     * attempts for I/O failures, timeouts, 408, 429, 502, 503 and 504, idempotent methods only).
     * These are the only retries: the fetcher's OkHttp client does not retry on its own.
     *
     * @throws NullPointerException if {@code retry} is null
     */
    public Builder retry(RetryPolicy retry) {
      settings.retry(Objects.requireNonNull(retry, "retry"));
      return this;
    }

    /**
     * The longest wait a server may ask for, with {@code Retry-After} or a quota reset, that the
     * fetcher honours by pausing the host; default 5 minutes. Past it, the answer becomes a result
     * of kind {@link ErrorKind#RATE_LIMITED}, and so do the host's other inputs until the time the
     * server gave, without being sent: a buggy header never parks the fetcher for a day.
     *
     * @throws NullPointerException if {@code maxRetryAfter} is null
     * @throws IllegalArgumentException if it is negative
     */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      settings.maxRetryAfter(checkTimeout(maxRetryAfter, "maxRetryAfter"));
      return this;
    }

    /**
     * Whether each host learns the rate its server accepts; default true. One switch: off, every
     * host keeps exactly the rates configured for it (none: as fast as the policy allows), and a
     * 429 is a failed attempt like a 503.
     *
     * <p>On, for each host whose limiter is the fetcher's own (not one of {@link
     * #hostRateLimiters}):
     *
     * <ul>
     *   <li><b>A slow start.</b> Until its server shows a sign of a quota, the host has 8 calls in
     *       flight at first and one more with each accepted answer (doubling every round trip), up
     *       to the policy's width: against a quota met at full width, a few refusals instead of a
     *       width's worth. This is the one place discovery holds a fetcher below what its policy
     *       allows: {@code async(256)} reaches 256 calls in flight after about five round trips.
     *   <li><b>Pacing.</b> A 429, a 503 with {@code Retry-After}, or quota headers ({@code
     *       RateLimit-Policy}, {@code X-RateLimit-*} and other dialects) start pacing the host at
     *       the rate the server accepts: headers give it exactly; otherwise the fetcher measures
     *       the rate of the calls the server accepted, lowers the pace at most once per window of
     *       observation, and probes upward slowly and boundedly. {@code Retry-After} still pauses
     *       the host. The rates learned appear in {@link Progress#learnedRates()}, {@link
     *       BatchSummary#learnedRates()} and {@link BatchFetcher#learnedRates()}.
     *   <li><b>A ceiling.</b> A configured rate limit ({@link #perHost}, {@link #host}, {@link
     *       #rateLimit}) is never exceeded; discovery goes below it when the server says so.
     *   <li><b>A 429 is a signal.</b> While the host's rate can still come down, a refused call
     *       does not use up one of its input's attempts: it is tried again at the slower pace,
     *       until the {@link RetryPolicy#rateLimitBudget() rate-limit budget} runs out.
     * </ul>
     *
     * <p>What a host learned outlives the host's state: a host met again after the fetcher forgot
     * it while idle starts at the rate it learned. It is kept in the fetcher's memory, or in a
     * {@link #quotaStore} shared with other processes.
     */
    public Builder quotaDiscovery(boolean discover) {
      settings.quotaDiscovery(discover);
      return this;
    }

    /**
     * Where {@link #quotaDiscovery quota discovery} keeps what it learns of each host, and hears
     * what other fetchers learned: a store shared by many processes ({@code RedisQuotaStore} of
     * {@code batchfetch-redis}) lets each start at the rate another learned, and pause when another
     * is told to wait. Default: a store of the fetcher's own, in memory ({@link
     * QuotaStore#inMemory}). Fetchers may share a store; the fetcher does not close it. Ignored
     * with discovery off.
     *
     * @throws NullPointerException if {@code store} is null
     */
    public Builder quotaStore(QuotaStore store) {
      settings.quotaStore(Objects.requireNonNull(store, "store"));
      return this;
    }

    /**
     * Whether a host slows down to the quota its server announces ({@code RateLimit-Policy:
     * 100;w=60} and the like, when they give both a limit and a window) if that is slower than the
     * host's configured rate; never faster. Default false: the configured rate is the user's word.
     * Quota discovery (on by default) does this and more for every host it paces; this switch
     * matters with discovery off.
     */
    public Builder adaptToServerQuota(boolean adapt) {
      settings.adaptToServerQuota(adapt);
      return this;
    }

    /**
     * How long to wait for a connection; default OkHttp's (10 s) or that of {@link #client}.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public Builder connectTimeout(Duration timeout) {
      settings.connectTimeout(checkTimeout(timeout, "connectTimeout"));
      return this;
    }

    /**
     * How long a read may wait for data, zero for no limit; default OkHttp's (10 s) or that of
     * {@link #client}.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public Builder readTimeout(Duration timeout) {
      settings.readTimeout(checkTimeout(timeout, "readTimeout"));
      return this;
    }

    /**
     * How long a write may wait, zero for no limit; default OkHttp's (10 s) or that of {@link
     * #client}.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public Builder writeTimeout(Duration timeout) {
      settings.writeTimeout(checkTimeout(timeout, "writeTimeout"));
      return this;
    }

    /**
     * How long one whole call may take, from connecting to reading the last byte of the body, zero
     * for no limit; default OkHttp's (none) or that of {@link #client}. The time a call waits for
     * its rate-limit permit does not count. A call that runs out of it is a {@link
     * ErrorKind#TIMEOUT} that may be retried; {@link #inputTimeout} bounds all of an input's
     * attempts, and holds even where OkHttp's timeouts do not reach (a DNS lookup).
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public Builder callTimeout(Duration timeout) {
      settings.callTimeout(checkTimeout(timeout, "callTimeout"));
      return this;
    }

    /**
     * The {@code User-Agent} of every request; default {@code batchfetch/<version>}.
     *
     * @throws NullPointerException if {@code userAgent} is null
     * @throws IllegalArgumentException if it is not a valid header value
     */
    public Builder userAgent(String userAgent) {
      return defaultHeader("User-Agent", userAgent);
    }

    /**
     * A header sent with every request, replacing any default of the same name; a request's own
     * header of that name replaces it in turn.
     *
     * @throws NullPointerException if {@code name} or {@code value} is null
     * @throws IllegalArgumentException if either is not valid in an HTTP header
     */
    public Builder defaultHeader(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      FetchRequest.get("http://localhost/").withHeader(name, value); // checks name and value
      settings.defaultHeader(name, value);
      return this;
    }

    /**
     * A client to derive this fetcher's client from, with {@link OkHttpClient#newBuilder()}: its
     * interceptors, TLS, proxy, DNS, cookie jar, cache and timeouts are kept; the fetcher gives the
     * derived client a dispatcher and connection pool of its own, sized to its concurrency, so that
     * closing the fetcher never touches the given client, which is never changed.
     *
     * <p>OkHttp's own retries and redirects are turned off in the derived client, so that every
     * request is admitted under the fetcher's limits and counted in {@link Result#attempts()}: the
     * fetcher retries as its {@link #retry} policy says, and follows redirects itself, each hop an
     * attempt of its own, as the given client's {@code followRedirects} and {@code
     * followSslRedirects} say (at most 20, as OkHttp). A redirect's request is made as OkHttp makes
     * it, from the request as the client's application interceptors left it ({@code Authorization}
     * dropped for another host), and does not pass them again. An {@code Authenticator}'s answer to
     * a 401 or 407 is still sent by OkHttp, within the attempt, and counted as one. Whatever an
     * interceptor, the DNS or other code of the client throws, an {@link Error} included, ends that
     * input as {@link ErrorKind#UNEXPECTED}.
     *
     * @throws NullPointerException if {@code client} is null
     */
    public Builder client(OkHttpClient client) {
      settings.client(Objects.requireNonNull(client, "client"));
      return this;
    }

    /**
     * What is done with response bodies; default {@link BodyHandling#keep()}.
     *
     * @throws NullPointerException if {@code handling} is null
     */
    public Builder bodyHandling(BodyHandling handling) {
      settings.bodyHandling(Objects.requireNonNull(handling, "handling"));
      return this;
    }

    /**
     * The most body bytes read of one response, default 8 MiB: a longer body (by its {@code
     * Content-Length}, or once that many bytes have come) makes the result {@link
     * ErrorKind#BODY_TOO_LARGE}, its status and headers kept, without reading the rest. Applies to
     * every {@link BodyHandling}; raise it to download large files with {@link
     * BodyHandling#stream}. The bodies of all calls in flight together stay within {@link
     * #maxBodyBytesInFlight}.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public Builder maxBodySize(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxBodySize must not be negative, was " + bytes);
      }
      settings.maxBodySize(bytes);
      return this;
    }

    /**
     * The most bytes of response bodies this fetcher's calls hold in memory at once, all together;
     * default: a budget shared by every fetcher of the JVM that sets none, a quarter of the heap's
     * maximum ({@code -Xmx}). A body kept in its result takes its bytes before it reads them; when
     * the budget has none free, the call waits (its thread does, as for a slow server) until
     * another body gives its bytes back, so that no mix of large or compressed bodies exhausts the
     * heap, whatever the servers send. So that calls never wait on each other for good, one body at
     * a time may be read past the budget, up to {@link #maxBodySize}: at most this budget plus one
     * {@code maxBodySize} is held. Small bodies (up to 64 KiB, less when the budget is small for
     * the fetcher's concurrency) and bodies read by {@link BodyHandling#discard()} or {@link
     * BodyHandling#stream} need none. A single body over {@link #maxBodySize} still ends as {@link
     * ErrorKind#BODY_TOO_LARGE}.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public Builder maxBodyBytesInFlight(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException(
            "maxBodyBytesInFlight must not be negative, was " + bytes);
      }
      settings.maxBodyBytesInFlight(bytes);
      return this;
    }

    /**
     * The most time one input may spend in flight, over all its attempts; default 2 minutes, {@link
     * Duration#ZERO} for no limit. Time waiting for admission (permits, slots, pauses its server
     * asked for) and backoffs between attempts do not count. When it runs out, the input ends as
     * {@link ErrorKind#TIMEOUT} and is not retried; its call is cancelled. It ends on the fetcher's
     * own timer, so an input whose call is stuck where no OkHttp timeout reaches (a body dripped a
     * byte at a time, a DNS lookup that never answers) still ends, and its slots go back. Raise it
     * for large downloads: a 1 GiB body at 10 MB/s takes 100 seconds.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public Builder inputTimeout(Duration timeout) {
      settings.inputTimeout(checkTimeout(timeout, "inputTimeout"));
      return this;
    }

    /**
     * A deadline for each batch, from its submission; default none. When it passes, the inputs of
     * the batch that are not done, waiting or in flight, become {@link ErrorKind#TIMEOUT} results
     * (a streamed batch reads no more of its input), and the future completes normally. To give one
     * batch a deadline instead, {@code fetchAll(urls).orTimeout(...)} stops the batch as well, but
     * the future then fails with a {@link java.util.concurrent.TimeoutException} instead of holding
     * the results.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public Builder batchTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("batchTimeout must be positive, was " + timeout);
      }
      settings.batchTimeout(timeout);
      return this;
    }

    /**
     * Hears how each running batch is doing, every {@link #progressInterval} and once more when it
     * ends ({@link Progress#done()}); default none. Called on the fetcher's scheduling lane, which
     * also admits calls: keep it quick, and hand slow work to another thread. An exception it
     * throws is logged and ignored; an {@link Error} is not swallowed: the batch's future fails
     * with it.
     *
     * @throws NullPointerException if {@code listener} is null
     */
    public Builder progressListener(Consumer<? super Progress> listener) {
      settings.progressListener(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * How often the {@link #progressListener} hears of each running batch; default one second.
     *
     * @throws NullPointerException if {@code interval} is null
     * @throws IllegalArgumentException if {@code interval} is shorter than a millisecond
     */
    public Builder progressInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException(
            "progressInterval must be at least 1 ms, was " + interval);
      }
      settings.progressInterval(interval);
      return this;
    }

    /** A new fetcher with this configuration; the builder may be used again. */
    public BatchFetcher build() {
      return new BatchFetcher(settings.build());
    }

    /**
     * For tests: runs the fetcher on a manual ticker and scheduler and a scripted transport, in
     * virtual time, with no thread or connection of its own.
     */
    Builder hooks(Hooks hooks) {
      settings.hooks(hooks);
      return this;
    }

    private static Duration checkTimeout(Duration timeout, String name) {
      Objects.requireNonNull(timeout, name);
      if (timeout.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, was " + timeout);
      }
      return timeout;
    }

    // Observability (issue 13): events, and calls made through an instrumented call factory.

    /**
     * Adds a listener that hears every event of this fetcher: batches, attempts, waits for permits,
     * retries, pauses and rate changes of hosts ({@link FetchListener} says on which thread, and
     * what happens when it is slow or throws). Call it again to add more; they hear each event in
     * the order they were added. {@code batchfetch-micrometer} has one that keeps meters.
     *
     * @throws NullPointerException if {@code listener} is null
     */
    public Builder eventListener(FetchListener listener) {
      settings.eventListener(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Makes this fetcher's calls through a {@link Call.Factory} made from its client: what
     * OpenTelemetry's and Brave's OkHttp instrumentations return, so that each attempt is a span.
     * {@code factory} is called once, when the fetcher is built, with the client the fetcher
     * derived for itself (its dispatcher, connection pool and timeouts; see {@link #client}); the
     * factory it returns must make its calls with that client, or one derived from it with {@link
     * OkHttpClient#newBuilder()}, so that the fetcher's limits and {@link #close()} still hold.
     *
     * <pre>{@code
     * OkHttpTelemetry telemetry = OkHttpTelemetry.builder(openTelemetry).build();
     * BatchFetcher fetcher = BatchFetcher.builder()
     *     .callFactory(telemetry::createCallFactory)
     *     .callContext(executor -> Context.current().wrap(executor)) // fetchAll's span: the parent
     *     .build();
     * }</pre>
     *
     * @throws NullPointerException if {@code factory} is null
     */
    public Builder callFactory(Function<? super OkHttpClient, ? extends Call.Factory> factory) {
      settings.callFactory(Objects.requireNonNull(factory, "factory"));
      return this;
    }

    /**
     * Carries the caller's context (a trace, a logging context) from the thread that submits a
     * batch to the making of each of its calls, which happens on the fetcher's threads: {@code
     * capture} is called on the submitting thread, in {@code fetchAll}, {@code fetchEach} or a
     * publisher's {@code subscribe}, with an executor that runs a task at once; it returns one that
     * runs the task in the context current then, as OpenTelemetry's {@code Context.current().wrap}
     * does. Every {@link Call.Factory#newCall} of the batch then runs through it, so that an
     * instrumented {@link #callFactory} sees the caller's span as the parent of each attempt's.
     *
     * <p>If {@code capture} throws, the batch runs without the context, and a {@code WARN} line
     * says so; if the executor it returns throws, or does not run the task at once, the attempt
     * ends as {@link ErrorKind#UNEXPECTED}.
     *
     * @throws NullPointerException if {@code capture} is null
     */
    public Builder callContext(UnaryOperator<Executor> capture) {
      settings.callContext(Objects.requireNonNull(capture, "capture"));
      return this;
    }
  }
}
