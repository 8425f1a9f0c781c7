package dev.batchfetch.internal;

import dev.batchfetch.BatchSummary;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.Progress;
import dev.batchfetch.Result;
import dev.batchfetch.internal.admission.Admission;
import dev.batchfetch.internal.admission.Hosts;
import dev.batchfetch.internal.admission.Retries;
import dev.batchfetch.internal.admission.Transport;
import dev.batchfetch.internal.batch.Batch;
import dev.batchfetch.internal.batch.ListBatch;
import dev.batchfetch.internal.batch.RequestFactory;
import dev.batchfetch.internal.batch.ResultSubscription;
import dev.batchfetch.internal.batch.StreamBatch;
import dev.batchfetch.internal.events.Events;
import dev.batchfetch.internal.events.LogListener;
import dev.batchfetch.internal.limit.Bulkheads;
import dev.batchfetch.internal.limit.GcraLimiter;
import dev.batchfetch.internal.limit.Limiter;
import dev.batchfetch.internal.limit.UserLimiter;
import dev.batchfetch.internal.time.Scheduler;
import dev.batchfetch.internal.time.Ticker;
import dev.batchfetch.internal.transport.BodyReader;
import dev.batchfetch.internal.transport.Clients;
import dev.batchfetch.internal.transport.OkHttpTransport;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The working parts of one fetcher, wired: its ticker and scheduler, its threads, its OkHttp client
 * (own dispatcher and connection pool, sized to the fetcher's concurrency), its admission and the
 * batches it runs; and closing them. Thread-safe.
 */
public final class Engine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  private static final AtomicInteger FETCHERS = new AtomicInteger();
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** How many permits of a user's limiter are asked for at once. */
  private static final int QUOTA_THREADS = 4;

  /** The fewest results a streamed batch may hold for its consumer before its calls wait. */
  private static final int MIN_DELIVERY_BUFFER = 64;

  private final String name;
  private final Settings settings;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final Threads threads;
  private final List<ExecutorService> interruptOnClose = new ArrayList<>();
  private final @Nullable OkHttpClient client;
  private final Executor quotaThreads;
  private final Executor delivery;
  private final RequestFactory requests;
  private final Admission admission;
  private final Events events;
  private final Set<Batch> live = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong batchIds = new AtomicLong();
  private final int deliveryBuffer;
  private volatile @Nullable Thread closer;

  public Engine(Settings settings) {
    this.name = "batchfetch-" + FETCHERS.incrementAndGet();
    this.settings = settings;
    this.threads = new Threads(name);
    int concurrency = settings.maxConcurrent();
    Hooks hooks = settings.hooks();
    Transport transport;
    Settings.Observing observing = settings.observing();
    if (hooks != null) {
      this.ticker = hooks.ticker();
      this.scheduler = hooks.scheduler();
      this.quotaThreads = hooks.executor();
      this.delivery = hooks.executor();
      this.client = null;
      transport = hooks.transport();
      this.events =
          new Events(name, observing.listeners(), hooks.executor(), ticker, LogListener.LOG);
    } else {
      this.ticker = Ticker.system();
      this.scheduler = threads.scheduler();
      ExecutorService quota = threads.fixed("quota", QUOTA_THREADS);
      interruptOnClose.add(quota);
      this.quotaThreads = quota;
      // One thread per streamed batch delivering at the time, none when idle.
      this.delivery = threads.cached("delivery");
      // One thread per call the dispatcher may run, no more: a call that ends hands the next one to
      // the pool before its own thread is free, which a pool of handoffs would give a new thread.
      OkHttpClient http =
          Clients.derive(settings, concurrency, threads.fixed("okhttp", concurrency));
      this.client = http;
      ExecutorService workers = null;
      if (!(settings.policy() instanceof ExecutionPolicy.Async)) {
        workers = threads.fixed("worker", concurrency);
        interruptOnClose.add(workers);
      }
      transport =
          new OkHttpTransport(
              calls(http, observing),
              new BodyReader(settings.bodyHandling(), settings.maxBodySize()),
              ticker,
              workers);
      // One thread, none when idle: listeners hear events in order, off the loop and the calls.
      this.events =
          new Events(
              name, observing.listeners(), threads.fixed("events", 1), ticker, LogListener.LOG);
    }
    this.requests = new RequestFactory(settings.defaultHeaders());
    this.deliveryBuffer = Math.max(MIN_DELIVERY_BUFFER, 2 * concurrency);
    this.admission =
        new Admission(
            new Admission.Limits(
                globalLimiter(settings),
                Bulkheads.of(name, concurrency),
                new Hosts(
                    settings.perHost(),
                    settings.hostOverrides(),
                    hostLimiters(settings.hostRateLimiters()),
                    ticker),
                new Retries(settings.retry()),
                settings.maxRetryAfter(),
                settings.adaptToServerQuota(),
                settings.maxPending()),
            transport,
            scheduler,
            quotaThreads,
            ticker,
            events);
  }

  /** What makes the calls: the client, or the factory the user makes from it (for traces). */
  private static Call.Factory calls(OkHttpClient http, Settings.Observing observing) {
    Function<? super OkHttpClient, ? extends Call.Factory> factory = observing.callFactory();
    if (factory == null) {
      return http;
    }
    return Objects.requireNonNull(factory.apply(http), "callFactory returned null");
  }

  /** The fetcher's name, the prefix of its threads' names. */
  public String name() {
    return name;
  }

  /** Inputs that are URLs to GET. */
  public RequestFactory.Kind urls() {
    return requests.urls();
  }

  /** Inputs that are {@code FetchRequest}s. */
  public RequestFactory.Kind requests() {
    return requests.requests();
  }

  /**
   * Runs a batch of {@code fetchAll}. {@code inputs} (null elements allowed) is owned by the batch
   * from now on.
   *
   * @throws IllegalStateException if the fetcher is closed
   */
  public CompletableFuture<List<Result>> submit(
      @Nullable Object[] inputs, RequestFactory.Kind kind) {
    checkOpen();
    ListBatch batch = new ListBatch(batchIds.incrementAndGet(), inputs, kind, ticker);
    if (inputs.length == 0) {
      return batch.future();
    }
    return run(batch, batch.future());
  }

  /**
   * Runs a streamed batch: reads {@code inputs} lazily and hands each result to {@code onResult} as
   * it completes, one at a time, on a delivery thread.
   *
   * @throws IllegalStateException if the fetcher is closed
   */
  public CompletableFuture<BatchSummary> submitEach(
      Iterable<?> inputs, RequestFactory.Kind kind, Consumer<? super Result> onResult) {
    StreamBatch batch =
        stream(
            inputs,
            kind,
            new StreamBatch.Sink() {
              @Override
              public boolean ready() {
                return true;
              }

              @Override
              public void accept(Result result) {
                onResult.accept(result);
              }
            });
    return run(batch, batch.future());
  }

  /**
   * A cold publisher of the results of {@code inputs}: each subscription runs a streamed batch,
   * whose results follow the subscriber's demand.
   */
  public Flow.Publisher<Result> publisher(Iterable<?> inputs, RequestFactory.Kind kind) {
    return subscriber ->
        ResultSubscription.subscribe(
            new ResultSubscription.Runner() {
              @Override
              public StreamBatch stream(StreamBatch.Sink sink) {
                return Engine.this.stream(inputs, kind, sink);
              }

              @Override
              public CompletableFuture<BatchSummary> run(StreamBatch batch) {
                return Engine.this.run(batch, batch.future());
              }
            },
            subscriber);
  }

  private StreamBatch stream(Iterable<?> inputs, RequestFactory.Kind kind, StreamBatch.Sink sink) {
    checkOpen();
    long total = inputs instanceof Collection<?> c ? c.size() : -1;
    Iterator<?> iterator = Objects.requireNonNull(inputs.iterator(), "inputs.iterator()");
    return new StreamBatch(
        batchIds.incrementAndGet(),
        total,
        iterator,
        sink,
        settings.maxPending(),
        deliveryBuffer,
        kind,
        ticker,
        delivery,
        admission::unstall);
  }

  /** Starts {@code batch}, stops it if its future completes early, and watches its deadline. */
  private <T> CompletableFuture<T> run(Batch batch, CompletableFuture<T> future) {
    batch.observe(events, callContext());
    live.add(batch);
    events.batchStarted(batch.tally().batch(), batch.tally().total());
    batch.beforeCompletion(() -> finalReport(batch)); // so that join() sees the last report
    Duration timeout = settings.batchTimeout();
    Scheduler.Cancellable deadline =
        timeout == null
            ? Scheduler.Cancellable.NONE
            : scheduler.schedule(timeout.toNanos(), () -> batch.expire(timeout));
    Scheduler.Cancellable reports = reportProgress(batch);
    var unused =
        future.whenComplete(
            (results, failure) -> {
              live.remove(batch);
              deadline.cancel();
              reports.cancel();
              if (failure != null) { // cancelled, or completed by the caller: stop what is left
                batch.stop("batch cancelled");
                admission.drain();
              }
              finalReport(batch);
              events.batchEnded(batch.tally().batch(), batch.tally().summary());
            });
    admission.submit(batch);
    if (closed.get()) { // closed while we queued: make sure this batch ends too
      batch.stop("fetcher closed");
    }
    return future;
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException(name + " is closed");
    }
  }

  private Scheduler.Cancellable reportProgress(Batch batch) {
    Consumer<? super Progress> listener = settings.progressListener();
    if (listener == null && !events.listened()) {
      return Scheduler.Cancellable.NONE;
    }
    return scheduler.scheduleAtFixedRate(
        settings.progressInterval().toNanos(),
        () -> {
          if (listener != null) {
            tell(listener, batch);
          }
          if (events.listened()) {
            events.batchProgress(batch.tally().progress(settings.rateLimit()));
          }
        });
  }

  /**
   * The context of the thread submitting a batch, in which its calls are made: what the user's
   * {@code callContext} captures, or none.
   */
  private Executor callContext() {
    UnaryOperator<Executor> capture = settings.observing().callContext();
    if (capture == null) {
      return Batch.NO_CONTEXT;
    }
    try {
      return Objects.requireNonNull(capture.apply(Batch.NO_CONTEXT), "callContext returned null");
    } catch (Throwable e) { // the user's code, an Error too: the batch still runs
      log.warn("{}: callContext threw; this batch's calls are made without its context", name, e);
      return Batch.NO_CONTEXT;
    }
  }

  /** The last report of {@code batch}, once; later periodic ones are skipped. */
  private void finalReport(Batch batch) {
    Consumer<? super Progress> listener = settings.progressListener();
    if (listener != null) {
      batch.tally().ended();
      tell(listener, batch);
    }
  }

  private void tell(Consumer<? super Progress> listener, Batch batch) {
    try {
      batch.tally().report(settings.rateLimit(), listener);
    } catch (RuntimeException e) {
      log.warn("{}: the progress listener failed", name, e);
    }
  }

  /** The client this fetcher sends with; for tests and diagnostics, not to be changed. */
  public OkHttpClient client() {
    OkHttpClient http = client;
    if (http == null) {
      throw new IllegalStateException(name + " runs on a test's transport, without OkHttp");
    }
    return http;
  }

  /** Connections in this fetcher's pool, idle or in use. */
  public int connectionCount() {
    OkHttpClient http = client;
    return http == null ? 0 : http.connectionPool().connectionCount();
  }

  /**
   * Ends every running batch (queued inputs rejected, calls in flight cancelled), stops the
   * fetcher's threads and closes its connections. Idempotent; waits up to ten seconds for the
   * threads to end.
   */
  @Override
  public void close() {
    boolean onOwnThread = threads.isOwn(Thread.currentThread());
    if (!closed.compareAndSet(false, true)) {
      if (!onOwnThread) {
        awaitCloser(); // closed from one of our threads: wait as the first close would have
      }
      return;
    }
    admission.close();
    for (Batch batch : live) {
      batch.stop("fetcher closed");
    }
    OkHttpClient http = client;
    if (http != null) {
      http.dispatcher().cancelAll();
    }
    // What stop() gave the streamed batches is still delivered; calls and quota asks are not.
    threads.shutdown(interruptOnClose);
    if (onOwnThread) {
      // Closed from a callback on one of our threads: waiting here would wait for this very thread.
      Thread thread = new Thread(this::awaitStopped, name + "-closer");
      thread.setDaemon(true);
      closer = thread;
      thread.start();
    } else {
      awaitStopped();
    }
  }

  private void awaitCloser() {
    Thread thread = closer;
    if (thread != null) {
      try {
        thread.join(CLOSE_TIMEOUT.toMillis() * 2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for the threads to end, then closes the connections. */
  private void awaitStopped() {
    boolean terminated = threads.awaitTermination(System.nanoTime() + CLOSE_TIMEOUT.toNanos());
    OkHttpClient http = client;
    if (http != null) {
      http.connectionPool().evictAll();
    }
    if (!terminated) {
      log.warn("{}: threads still running {} after close", name, CLOSE_TIMEOUT);
    }
    log.debug("{} closed", name);
  }

  @Override
  public String toString() {
    return name;
  }

  private Limiter globalLimiter(Settings settings) {
    RateLimiter users = settings.rateLimiter();
    return users != null
        ? new UserLimiter(users, quotaThreads, ticker)
        : new GcraLimiter(name, settings.rateLimit(), Duration.ofDays(1), ticker);
  }

  private Function<String, @Nullable Limiter> hostLimiters(
      @Nullable Function<String, ? extends @Nullable RateLimiter> users) {
    if (users == null) {
      return key -> null;
    }
    return key -> {
      RateLimiter limiter = users.apply(key);
      return limiter == null ? null : new UserLimiter(limiter, quotaThreads, ticker);
    };
  }
}
