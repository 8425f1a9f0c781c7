package dev.batchfetch.internal;

import dev.batchfetch.BatchSummary;
import dev.batchfetch.ErrorKind;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.Progress;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The working parts of one fetcher: its OkHttp client (own dispatcher and connection pool, sized to
 * the fetcher's concurrency), its rate limiter and bulkhead, its threads, and the batches it runs.
 * Thread-safe.
 */
public final class Engine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  private static final AtomicInteger FETCHERS = new AtomicInteger();
  private static final Duration IDLE_THREAD_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** How many permits of a user's limiter are asked for at once. */
  private static final int QUOTA_THREADS = 4;

  /** The fewest results a streamed batch may hold for its consumer before its calls wait. */
  private static final int MIN_DELIVERY_BUFFER = 64;

  private final String name;
  private final OkHttpClient client;
  private final ThreadPoolExecutor okhttpThreads;
  private final ScheduledThreadPoolExecutor scheduler;
  private final @Nullable ThreadPoolExecutor workers;
  private final RequestFactory requests;
  private final Admission admission;
  private final Set<Batch> live = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<NamedThreadFactory> threadFactories = new ArrayList<>();
  private final ThreadPoolExecutor delivery;
  private final ThreadPoolExecutor quotaThreads;
  private final AtomicLong batchIds = new AtomicLong();
  private volatile @Nullable Thread closer;
  private final int maxPending;
  private final int deliveryBuffer;
  private final RateLimit quota;
  private final @Nullable Duration batchTimeout;
  private final @Nullable Consumer<? super Progress> progressListener;
  private final Duration progressInterval;

  public Engine(Settings settings) {
    this.name = "batchfetch-" + FETCHERS.incrementAndGet();
    int concurrency = settings.maxConcurrent();
    // One thread per call the dispatcher may run, no more: a call that ends hands the next one to
    // the pool before its own thread is free, which a pool of handoffs would give a new thread.
    // The queue holds at most those handed over; the dispatcher admits no more than this many.
    this.okhttpThreads =
        new ThreadPoolExecutor(
            concurrency,
            concurrency,
            IDLE_THREAD_TIMEOUT.toSeconds(),
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            thread("okhttp"));
    okhttpThreads.allowCoreThreadTimeOut(true);
    this.client = newClient(settings, concurrency, okhttpThreads);
    this.scheduler = new ScheduledThreadPoolExecutor(1, thread("scheduler"));
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.setKeepAliveTime(IDLE_THREAD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    scheduler.allowCoreThreadTimeOut(true);
    this.requests = new RequestFactory(settings.defaultHeaders());
    // Asked for permits of a user's limiter, which may wait on the network: never the loop.
    this.quotaThreads =
        new ThreadPoolExecutor(
            QUOTA_THREADS,
            QUOTA_THREADS,
            IDLE_THREAD_TIMEOUT.toSeconds(),
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            thread("quota"));
    quotaThreads.allowCoreThreadTimeOut(true);
    // One thread per streamed batch delivering at the time, none when idle.
    this.delivery =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            IDLE_THREAD_TIMEOUT.toSeconds(),
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            thread("delivery"));
    this.maxPending = settings.maxPending();
    this.deliveryBuffer = Math.max(MIN_DELIVERY_BUFFER, 2 * concurrency);
    this.quota = settings.rateLimit();
    this.batchTimeout = settings.batchTimeout();
    this.progressListener = settings.progressListener();
    this.progressInterval = settings.progressInterval();

    OkHttpClient http = client;
    Consumer<Exchange> starter;
    if (settings.policy() instanceof ExecutionPolicy.Async) {
      this.workers = null;
      starter = exchange -> exchange.enqueue(http);
    } else {
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              concurrency,
              concurrency,
              IDLE_THREAD_TIMEOUT.toSeconds(),
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              thread("worker"));
      pool.allowCoreThreadTimeOut(true);
      this.workers = pool;
      starter = exchange -> runOn(pool, exchange, http);
    }
    this.admission =
        new Admission(
            globalLimiter(settings),
            bulkhead(name, concurrency),
            new Hosts(
                settings.perHost(),
                settings.hostOverrides(),
                hostLimiters(settings.hostRateLimiters()),
                System::nanoTime),
            new Retries(name, settings.retry()),
            settings.maxRetryAfter(),
            settings.adaptToServerQuota(),
            settings.maxPending(),
            scheduler,
            starter,
            quotaThreads,
            new BodyReader(settings.bodyHandling(), settings.maxBodySize()),
            System::nanoTime,
            Clock.systemUTC());
  }

  /** The fetcher's name, the prefix of its threads' names. */
  public String name() {
    return name;
  }

  /**
   * Runs a batch of {@code fetchAll}. {@code inputs} holds URL strings or {@code FetchRequest}s
   * (null elements allowed) and is owned by the batch from now on.
   *
   * @throws IllegalStateException if the fetcher is closed
   */
  public CompletableFuture<List<Result>> submit(@Nullable Object[] inputs) {
    checkOpen();
    ListBatch batch = new ListBatch(batchIds.incrementAndGet(), inputs, requests);
    if (inputs.length == 0) {
      return batch.future();
    }
    return run(batch, batch.future());
  }

  /**
   * Runs a streamed batch: reads {@code inputs} (URL strings or {@code FetchRequest}s) lazily and
   * hands each result to {@code onResult} as it completes, one at a time, on a delivery thread.
   *
   * @throws IllegalStateException if the fetcher is closed
   */
  public CompletableFuture<BatchSummary> submitEach(
      Iterable<?> inputs, Consumer<? super Result> onResult) {
    return submitStream(
        inputs,
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
  }

  /**
   * A cold publisher of the results of {@code inputs}: each subscription runs a streamed batch,
   * whose results follow the subscriber's demand.
   */
  public Flow.Publisher<Result> publisher(Iterable<?> inputs) {
    return subscriber -> ResultSubscription.subscribe(this, inputs, subscriber);
  }

  StreamBatch stream(Iterable<?> inputs, StreamBatch.Sink sink) {
    checkOpen();
    long total = inputs instanceof Collection<?> c ? c.size() : -1;
    Iterator<?> iterator = Objects.requireNonNull(inputs.iterator(), "inputs.iterator()");
    return new StreamBatch(
        batchIds.incrementAndGet(),
        total,
        iterator,
        sink,
        maxPending,
        deliveryBuffer,
        requests,
        delivery,
        () -> admission.post(admission::unstall));
  }

  CompletableFuture<BatchSummary> submitStream(Iterable<?> inputs, StreamBatch.Sink sink) {
    StreamBatch batch = stream(inputs, sink);
    return run(batch, batch.future());
  }

  /** Starts {@code batch}, stops it if its future completes early, and watches its deadline. */
  <T> CompletableFuture<T> run(Batch batch, CompletableFuture<T> future) {
    live.add(batch);
    batch.beforeCompletion(() -> finalReport(batch)); // so that join() sees the last report
    Duration timeout = batchTimeout;
    Future<?> deadline = timeout == null ? null : schedule(timeout, () -> batch.expire(timeout));
    Future<?> reports = reportProgress(batch);
    var unused =
        future.whenComplete(
            (results, failure) -> {
              live.remove(batch);
              cancel(deadline);
              cancel(reports);
              if (failure != null) { // cancelled, or completed by the caller: stop what is left
                batch.stop("batch cancelled");
                admission.drain();
              }
              finalReport(batch);
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

  private @Nullable Future<?> schedule(Duration delay, Runnable task) {
    try {
      return scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null; // closing: the batch is being stopped anyway
    }
  }

  private @Nullable Future<?> reportProgress(Batch batch) {
    Consumer<? super Progress> listener = progressListener;
    if (listener == null) {
      return null;
    }
    long every = progressInterval.toNanos();
    try {
      return scheduler.scheduleAtFixedRate(
          () -> tell(listener, batch), every, every, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  private static void cancel(@Nullable Future<?> task) {
    if (task != null) {
      task.cancel(false);
    }
  }

  /** The last report of {@code batch}, once; later periodic ones are skipped. */
  private void finalReport(Batch batch) {
    Consumer<? super Progress> listener = progressListener;
    if (listener != null) {
      batch.tally.ended();
      tell(listener, batch);
    }
  }

  private void tell(Consumer<? super Progress> listener, Batch batch) {
    try {
      batch.tally.report(quota, listener);
    } catch (RuntimeException e) {
      log.warn("{}: the progress listener failed", name, e);
    }
  }

  /** The client this fetcher sends with; for tests and diagnostics, not to be changed. */
  public OkHttpClient client() {
    return client;
  }

  /** Connections in this fetcher's pool, idle or in use. */
  public int connectionCount() {
    return client.connectionPool().connectionCount();
  }

  /**
   * Ends every running batch (queued inputs rejected, calls in flight cancelled), stops the
   * fetcher's threads and closes its connections. Idempotent; waits up to ten seconds for the
   * threads to end.
   */
  @Override
  public void close() {
    boolean onOwnThread = threadFactories.stream().anyMatch(f -> f.made(Thread.currentThread()));
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
    scheduler.shutdownNow();
    if (workers != null) {
      workers.shutdownNow();
    }
    client.dispatcher().cancelAll();
    okhttpThreads.shutdown();
    delivery.shutdown(); // what stop() gave the streamed batches is still delivered
    quotaThreads.shutdownNow();
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
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    boolean terminated =
        awaitTermination(scheduler, deadline)
            && (workers == null || awaitTermination(workers, deadline))
            && awaitTermination(okhttpThreads, deadline)
            && awaitTermination(delivery, deadline)
            && awaitTermination(quotaThreads, deadline)
            && threadFactories.stream().allMatch(threads -> threads.join(deadline));
    client.connectionPool().evictAll();
    if (!terminated) {
      log.warn("{}: threads still running {} after close", name, CLOSE_TIMEOUT);
    }
    log.debug("{} closed", name);
  }

  @Override
  public String toString() {
    return name;
  }

  private NamedThreadFactory thread(String role) {
    NamedThreadFactory factory = new NamedThreadFactory(name, role);
    threadFactories.add(factory);
    return factory;
  }

  private static void runOn(ExecutorService pool, Exchange exchange, OkHttpClient client) {
    try {
      pool.execute(() -> exchange.execute(client));
    } catch (RejectedExecutionException e) {
      exchange.complete(exchange.failed(ErrorKind.REJECTED, e)); // closing
    }
  }

  private static boolean awaitTermination(ExecutorService executor, long deadlineNanos) {
    try {
      return executor.awaitTermination(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static OkHttpClient newClient(
      Settings settings, int concurrency, ExecutorService okhttpThreads) {
    Dispatcher dispatcher = new Dispatcher(okhttpThreads);
    // Only admitted calls reach the dispatcher, so its limits only need to let them all run.
    dispatcher.setMaxRequests(concurrency);
    dispatcher.setMaxRequestsPerHost(concurrency);
    OkHttpClient base = settings.client();
    OkHttpClient.Builder builder = base == null ? new OkHttpClient.Builder() : base.newBuilder();
    builder
        .dispatcher(dispatcher)
        .connectionPool(new ConnectionPool(concurrency, 5, TimeUnit.MINUTES))
        // Tells the limiters when each request really leaves, after connecting: see
        // SmoothRateLimiter.sent.
        .addNetworkInterceptor(
            chain -> {
              Exchange exchange = chain.request().tag(Exchange.class);
              if (exchange != null) {
                exchange.leaving();
              }
              return chain.proceed(chain.request());
            });
    if (settings.connectTimeout() != null) {
      builder.connectTimeout(settings.connectTimeout());
    }
    if (settings.readTimeout() != null) {
      builder.readTimeout(settings.readTimeout());
    }
    if (settings.writeTimeout() != null) {
      builder.writeTimeout(settings.writeTimeout());
    }
    if (settings.callTimeout() != null) {
      builder.callTimeout(settings.callTimeout());
    }
    return builder.build();
  }

  private Limiter globalLimiter(Settings settings) {
    RateLimiter users = settings.rateLimiter();
    return users != null
        ? new RemoteLimiter(users, quotaThreads)
        : rateLimiter(name, settings.rateLimit());
  }

  private Function<String, @Nullable Limiter> hostLimiters(
      @Nullable Function<String, ? extends @Nullable RateLimiter> users) {
    if (users == null) {
      return key -> null;
    }
    return key -> {
      RateLimiter limiter = users.apply(key);
      return limiter == null ? null : new RemoteLimiter(limiter, quotaThreads);
    };
  }

  private static SmoothRateLimiter rateLimiter(String name, RateLimit limit) {
    // Reservations are bounded by the bulkhead's slots, each held while it waits: any wait may be
    // reserved, so the timeout is only a guard.
    return new SmoothRateLimiter(name, limit, Duration.ofDays(1));
  }

  private static Bulkhead bulkhead(String name, int maxConcurrent) {
    BulkheadConfig config =
        BulkheadConfig.custom()
            .maxConcurrentCalls(maxConcurrent)
            .maxWaitDuration(Duration.ZERO)
            .fairCallHandlingStrategyEnabled(false)
            .writableStackTraceEnabled(false)
            .build();
    return Bulkhead.of(name, config);
  }
}
