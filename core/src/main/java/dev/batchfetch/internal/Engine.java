package dev.batchfetch.internal;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
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

  public Engine(Settings settings) {
    this.name = "batchfetch-" + FETCHERS.incrementAndGet();
    int concurrency = settings.maxConcurrent();
    this.okhttpThreads =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            IDLE_THREAD_TIMEOUT.toSeconds(),
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            thread("okhttp"));
    this.client = newClient(settings, concurrency, okhttpThreads);
    this.scheduler = new ScheduledThreadPoolExecutor(1, thread("scheduler"));
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.setKeepAliveTime(IDLE_THREAD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    scheduler.allowCoreThreadTimeOut(true);
    this.requests = new RequestFactory(settings.defaultHeaders());

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
            rateLimiter(name, settings.rateLimit()),
            bulkhead(name, concurrency),
            new Hosts(settings.perHost(), settings.hostOverrides(), System::nanoTime),
            new Retries(name, settings.retry()),
            settings.maxRetryAfter(),
            settings.adaptToServerQuota(),
            settings.maxPending(),
            scheduler,
            starter,
            System::nanoTime,
            Clock.systemUTC());
  }

  /** The fetcher's name, the prefix of its threads' names. */
  public String name() {
    return name;
  }

  /**
   * Runs a batch. {@code inputs} holds URL strings or {@code FetchRequest}s (null elements allowed)
   * and is owned by the batch from now on.
   *
   * @throws IllegalStateException if the fetcher is closed
   */
  public CompletableFuture<List<Result>> submit(@Nullable Object[] inputs) {
    if (closed.get()) {
      throw new IllegalStateException(name + " is closed");
    }
    Batch batch = new Batch(inputs, requests);
    CompletableFuture<List<Result>> future = batch.future();
    if (inputs.length == 0) {
      return future;
    }
    live.add(batch);
    var unused =
        future.whenComplete(
            (results, failure) -> {
              live.remove(batch);
              if (failure != null) { // cancelled, or completed by the caller: stop what is left
                batch.stop("batch cancelled");
                admission.drain();
              }
            });
    admission.submit(batch);
    if (closed.get()) { // closed while we queued: make sure this batch ends too
      batch.stop("fetcher closed");
    }
    return future;
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
    if (!closed.compareAndSet(false, true)) {
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
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    boolean terminated =
        awaitTermination(scheduler, deadline)
            && (workers == null || awaitTermination(workers, deadline))
            && awaitTermination(okhttpThreads, deadline)
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
