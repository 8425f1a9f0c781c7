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
import dev.batchfetch.internal.discovery.Discovery;
import dev.batchfetch.internal.events.Events;
import dev.batchfetch.internal.events.LogListener;
import dev.batchfetch.internal.limit.Bulkheads;
import dev.batchfetch.internal.limit.Limiter;
import dev.batchfetch.internal.limit.Limiters;
import dev.batchfetch.internal.limit.UserLimiter;
import dev.batchfetch.internal.time.Scheduler;
import dev.batchfetch.internal.time.Ticker;
import dev.batchfetch.internal.transport.BodyBudget;
import dev.batchfetch.internal.transport.BodyReader;
import dev.batchfetch.internal.transport.Clients;
import dev.batchfetch.internal.transport.OkHttpTransport;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import okhttp3.Call;
import okhttp3.ConnectionPool;
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

  /**
   * How long the events' thread waits for more events before it goes: a busy batch's events are
   * then heard a millisecond late at most, in batches, without a hand-off for each.
   */
  private static final long EVENTS_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

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
  private final Executor inputThreads;
  private final Executor delivery;
  private final RequestFactory requests;
  private final Admission admission;
  private final Discovery discovery;
  private final Events events;
  private final Set<Batch> live = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object lifecycle = new Object();
  private volatile boolean shuttingDown; // written under lifecycle: no new batches
  private final AtomicBoolean released = new AtomicBoolean();
  private final CountDownLatch releasedLatch = new CountDownLatch(1);
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
      this.inputThreads = hooks.executor();
      this.delivery = hooks.executor();
      this.client = null;
      transport = hooks.transport();
      this.events =
          new Events(name, observing.listeners(), hooks.executor(), ticker, LogListener.LOG);
    } else {
      // No thread of its own: lanes over the JVM's shared threads (or the user's executor), each
      // bounded to its width, holding none while idle.
      this.ticker = Ticker.system();
      this.scheduler = threads.scheduler();
      ExecutorService quota = threads.fixed("quota", QUOTA_THREADS);
      interruptOnClose.add(quota);
      this.quotaThreads = quota;
      // One thread per streamed batch reading its input at the time, none when idle; interrupted
      // on close, as a source blocked in next() may be.
      ExecutorService input = threads.cached("input");
      interruptOnClose.add(input);
      this.inputThreads = input;
      // One thread per streamed batch delivering at the time, none when idle.
      this.delivery = threads.cached("delivery");
      // One thread per call the dispatcher may run, no more: a call that ends hands the next one to
      // the same thread.
      OkHttpClient http = Clients.derive(settings, concurrency, threads.dispatcher(concurrency));
      this.client = http;
      ExecutorService workers = null;
      ExecutionPolicy policy = settings.policy();
      if (!(policy instanceof ExecutionPolicy.Async)) {
        Executor users = executorOf(policy);
        workers =
            users == null
                ? threads.fixed("worker", concurrency)
                : threads.on(users, "worker", concurrency);
        interruptOnClose.add(workers);
      }
      long budget = settings.maxBodyBytesInFlight();
      transport =
          new OkHttpTransport(
              calls(http, observing),
              calls(Clients.withoutApplicationInterceptors(http), observing),
              Clients.redirects(settings),
              new BodyReader(
                  settings.bodyHandling(),
                  settings.maxBodySize(),
                  budget < 0 ? BodyBudget.shared() : new BodyBudget(budget),
                  concurrency),
              ticker,
              workers);
      // One thread, none when idle: listeners hear events in order, off the loop and the calls.
      this.events =
          new Events(
              name,
              observing.listeners(),
              threads.fixed("events", 1),
              EVENTS_LINGER_NANOS,
              ticker,
              LogListener.LOG);
    }
    this.requests = new RequestFactory(settings.defaultHeaders());
    this.discovery =
        settings.quotaDiscovery()
            ? Discovery.on(settings.maxRetryAfter(), settings.quotaStore())
            : Discovery.off();
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
                    discovery,
                    ticker),
                new Retries(settings.retry()),
                settings.maxRetryAfter(),
                settings.adaptToServerQuota(),
                settings.maxPending(),
                settings.inputTimeout()),
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

  /** The JVM's cleaner, for fetchers nobody closed. */
  public static Cleaner cleaner() {
    return SharedThreads.cleaner();
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
        inputThreads,
        delivery,
        admission::unstall);
  }

  /** Starts {@code batch}, stops it if its future completes early, and watches its deadline. */
  private <T> CompletableFuture<T> run(Batch batch, CompletableFuture<T> future) {
    batch.observe(events, callContext());
    synchronized (lifecycle) {
      checkOpen();
      live.add(batch);
    }
    batch.tally().learnedRates(discovery::learnedRates);
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
              releaseIfDone();
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
    if (shuttingDown) {
      throw new IllegalStateException(name + " is shut down");
    }
  }

  /**
   * Takes no new batch; the running ones go on to their end, then the fetcher releases its threads
   * and connections. Returns at once; idempotent; safe from any thread.
   */
  public void shutdown() {
    boolean idle;
    synchronized (lifecycle) {
      shuttingDown = true;
      idle = live.isEmpty();
    }
    if (idle) {
      release(false);
    }
  }

  /** Whether {@link #shutdown} or {@link #close} was called. */
  public boolean isShutdown() {
    return shuttingDown;
  }

  /** Whether the fetcher shut down and its last batch ended and no task of it runs any more. */
  public boolean isTerminated() {
    return released.get() && threads.isTerminated();
  }

  /**
   * Waits until the fetcher {@link #isTerminated terminated}, or {@code timeout} passed.
   *
   * @return whether it terminated
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!releasedLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      return false;
    }
    boolean terminated = threads.awaitTermination(deadline);
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    return terminated;
  }

  private void releaseIfDone() {
    boolean done;
    synchronized (lifecycle) {
      done = shuttingDown && live.isEmpty();
    }
    if (done) {
      release(false); // on the thread that completed the last batch: no interrupt for it
    }
  }

  /**
   * Lets the threads go and empties a connection pool of the fetcher's own, once no batch runs or
   * none is wanted any more. Never blocks: it may run on one of the threads it lets go.
   *
   * @param interrupt whether to interrupt what still runs (a close), or let it end (a shutdown)
   */
  private void release(boolean interrupt) {
    if (!released.compareAndSet(false, true)) {
      return;
    }
    admission.close();
    // What stop() gave the streamed batches is still delivered; calls and quota asks are not.
    threads.shutdown(interrupt ? interruptOnClose : List.of(), interrupt);
    OkHttpClient http = client;
    if (http != null && !Clients.sharesPool(http)) {
      http.connectionPool().evictAll();
    }
    releasedLatch.countDown();
    log.debug("{} released its threads", name);
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
            events.batchProgress(batch.tally().progress(settings.rateLimits()));
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

  /**
   * Reports to {@code listener}: an exception it throws is logged and ignored; an {@link Error} is
   * not to be swallowed, and fails the batch.
   */
  private void tell(Consumer<? super Progress> listener, Batch batch) {
    try {
      batch.tally().report(settings.rateLimits(), listener);
    } catch (RuntimeException e) {
      log.warn("{}: the progress listener failed", name, e);
    } catch (Error e) {
      batch.future().completeExceptionally(e);
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

  /**
   * The rates quota discovery learned, calls per second by host, for the hosts it paces now,
   * slowest first (at most 100); empty when none is paced or discovery is off.
   */
  public Map<String, Double> learnedRates() {
    return discovery.learnedRates();
  }

  /**
   * Connections this fetcher holds: in use by its calls or, in a pool of its own, idle. On the
   * JVM's shared pool, idle connections are no fetcher's, and those in use are counted for all.
   */
  public int connectionsHeld() {
    OkHttpClient http = client;
    if (http == null) {
      return 0;
    }
    ConnectionPool pool = http.connectionPool();
    return Clients.sharesPool(http)
        ? pool.connectionCount() - pool.idleConnectionCount()
        : pool.connectionCount();
  }

  /** Threads running this fetcher's work now. */
  public int activeThreads() {
    return threads.active();
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
    synchronized (lifecycle) {
      shuttingDown = true;
    }
    admission.close();
    for (Batch batch : live) {
      batch.stop("fetcher closed");
    }
    OkHttpClient http = client;
    if (http != null) {
      http.dispatcher().cancelAll();
    }
    release(true);
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
    if (http != null && !Clients.sharesPool(http)) {
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

  private static @Nullable Executor executorOf(ExecutionPolicy policy) {
    if (policy instanceof ExecutionPolicy.Pool pool) {
      return pool.executor();
    }
    if (policy instanceof ExecutionPolicy.Sequential sequential) {
      return sequential.executor();
    }
    return null;
  }

  private Limiter globalLimiter(Settings settings) {
    RateLimiter users = settings.rateLimiter();
    return users != null
        ? new UserLimiter(users, quotaThreads, ticker)
        : Limiters.allOf(Limiters.own(name, settings.rateLimits(), ticker));
  }

  private Function<String, @Nullable Limiter> hostLimiters(
      @Nullable Function<String, ? extends @Nullable RateLimiter> users) {
    if (users == null) {
      return key -> null;
    }
    return key -> {
      RateLimiter limiter;
      try {
        limiter = users.apply(key);
      } catch (Throwable e) { // the host's inputs end as QUOTA_UNAVAILABLE, unsent
        return UserLimiter.failed(key, e);
      }
      return limiter == null ? null : new UserLimiter(limiter, quotaThreads, ticker);
    };
  }
}
