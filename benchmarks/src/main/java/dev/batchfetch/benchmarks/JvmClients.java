package dev.batchfetch.benchmarks;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.FetchListener;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The JVM clients of the comparison, each the way its documentation suggests using it. A {@link
 * Client} is built before the clock starts and closed after it stops; {@link Client#fetch} is the
 * timed part: send every URL, read every body, record every outcome.
 */
final class JvmClients {
  private JvmClients() {}

  /** One configured client, used for one timed run. */
  interface Client extends AutoCloseable {
    /** Fetches every URL and records each outcome; returns when all are recorded. */
    void fetch(List<String> urls, Outcomes out) throws Exception;

    @Override
    void close();
  }

  /**
   * A new client of {@code contender}, {@code concurrency} wide where it has a width.
   *
   * @param quota the rate limit a batchfetch fetcher is configured with; null for none
   * @param waitSeconds how long a run may wait for its last call before it gives up
   */
  static Client open(
      Contender contender, int concurrency, @Nullable RateLimit quota, long waitSeconds) {
    return switch (contender) {
      case BATCHFETCH_SEQUENTIAL ->
          batchfetch(
              USERS == null ? ExecutionPolicy.sequential() : ExecutionPolicy.sequential(USERS),
              quota);
      case BATCHFETCH_POOL ->
          batchfetch(
              USERS == null
                  ? ExecutionPolicy.pool(concurrency)
                  : ExecutionPolicy.pool(USERS, concurrency),
              quota);
      case BATCHFETCH_ASYNC -> batchfetch(ExecutionPolicy.async(concurrency), quota);
      case OKHTTP_EXECUTE -> new OkHttpExecute(new OkHttpClient());
      case OKHTTP_ENQUEUE_DEFAULT -> new OkHttpEnqueue(new OkHttpClient(), null, waitSeconds);
      case OKHTTP_ENQUEUE_TUNED -> tunedOkHttp(concurrency, waitSeconds);
      case JDK_HTTPCLIENT -> new JdkSendAsync(concurrency, waitSeconds);
      default -> throw new IllegalArgumentException(contender + " is not a JVM client");
    };
  }

  /**
   * {@code -Dbatchfetch.bench.executor=virtual} (Java 21+): the blocking policies run their calls
   * on virtual threads, {@code Executors.newVirtualThreadPerTaskExecutor()}.
   */
  static final String EXECUTOR_PROPERTY = "batchfetch.bench.executor";

  private static final @Nullable Executor USERS = usersExecutor();

  private static @Nullable Executor usersExecutor() {
    String kind = System.getProperty(EXECUTOR_PROPERTY, "");
    if (kind.isEmpty()) {
      return null;
    }
    if (!kind.equals("virtual")) {
      throw new IllegalArgumentException(EXECUTOR_PROPERTY + " must be virtual, was " + kind);
    }
    try {
      return (Executor) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(EXECUTOR_PROPERTY + "=virtual needs Java 21+", e);
    }
  }

  private static Client batchfetch(ExecutionPolicy policy, @Nullable RateLimit quota) {
    return batchfetch(policy, quota, null);
  }

  /** A batchfetch client whose fetcher tells {@code listener} its events; null for none. */
  static Client batchfetch(
      ExecutionPolicy policy, @Nullable RateLimit quota, @Nullable FetchListener listener) {
    BatchFetcher.Builder builder = BatchFetcher.builder().policy(policy);
    if (listener != null) {
      builder.eventListener(listener);
    }
    if (quota != null) {
      builder.rateLimit(quota);
    }
    BatchFetcher fetcher = builder.build();
    return new Client() {
      @Override
      public void fetch(List<String> urls, Outcomes out) {
        for (Result r : fetcher.fetchAll(urls).join()) {
          if (r.status() == 0) {
            out.failed(r.index());
          } else {
            out.record(r.index(), r.status(), r.text());
          }
        }
      }

      @Override
      public void close() {
        fetcher.close();
      }
    };
  }

  /**
   * OkHttp as its docs advise for many calls to one host: the dispatcher's limits raised to the
   * concurrency (its defaults are 64 in all and 5 per host), a connection pool that keeps that many
   * idle, and a semaphore that admits a call only when one of {@code concurrency} slots is free, so
   * the dispatcher's ready queue never holds the whole batch.
   */
  private static Client tunedOkHttp(int concurrency, long waitSeconds) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(concurrency);
    dispatcher.setMaxRequestsPerHost(concurrency);
    OkHttpClient client =
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .connectionPool(new ConnectionPool(concurrency, 5, TimeUnit.MINUTES))
            .build();
    return new OkHttpEnqueue(client, new Semaphore(concurrency), waitSeconds);
  }

  private static Request get(String url) {
    return new Request.Builder().url(url).build();
  }

  private static void shutDown(OkHttpClient client) {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  private static void await(CountDownLatch done, long waitSeconds) throws Exception {
    if (!done.await(waitSeconds, TimeUnit.SECONDS)) {
      throw new TimeoutException(
          done.getCount() + " calls still running after " + waitSeconds + " s");
    }
  }

  /** The plainest loop: one blocking {@code execute()} after another. */
  private record OkHttpExecute(OkHttpClient client) implements Client {
    @Override
    public void fetch(List<String> urls, Outcomes out) {
      for (int i = 0; i < urls.size(); i++) {
        try (Response response = client.newCall(get(urls.get(i))).execute()) {
          out.record(i, response.code(), response.body().string());
        } catch (IOException e) {
          out.failed(i);
        }
      }
    }

    @Override
    public void close() {
      shutDown(client);
    }
  }

  /**
   * Every call handed to {@code enqueue}; with a semaphore, only as many at once as it has permits
   * (the caller blocks for one), without, all at once.
   */
  private record OkHttpEnqueue(OkHttpClient client, @Nullable Semaphore window, long waitSeconds)
      implements Client {
    @Override
    public void fetch(List<String> urls, Outcomes out) throws Exception {
      CountDownLatch done = new CountDownLatch(urls.size());
      for (int i = 0; i < urls.size(); i++) {
        if (window != null) {
          window.acquire();
        }
        int index = i;
        client
            .newCall(get(urls.get(i)))
            .enqueue(
                new Callback() {
                  @Override
                  public void onResponse(Call call, Response response) {
                    try (response) {
                      out.record(index, response.code(), response.body().string());
                    } catch (IOException e) {
                      out.failed(index);
                    } finally {
                      finish();
                    }
                  }

                  @Override
                  public void onFailure(Call call, IOException e) {
                    out.failed(index);
                    finish();
                  }

                  private void finish() {
                    if (window != null) {
                      window.release();
                    }
                    done.countDown();
                  }
                });
      }
      await(done, waitSeconds);
    }

    @Override
    public void close() {
      shutDown(client);
    }
  }

  /**
   * The JDK's client, HTTP/1.1, {@code sendAsync} with a window of {@code concurrency} calls. Its
   * executor is the JDK's default kind (a cached pool), given explicitly so that it can be shut
   * down after the run: JDK 17's client has no {@code close()}.
   */
  private static final class JdkSendAsync implements Client {
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpClient client =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build();
    private final Semaphore window;
    private final long waitSeconds;

    JdkSendAsync(int concurrency, long waitSeconds) {
      this.window = new Semaphore(concurrency);
      this.waitSeconds = waitSeconds;
    }

    @Override
    public void fetch(List<String> urls, Outcomes out) throws Exception {
      CountDownLatch done = new CountDownLatch(urls.size());
      for (int i = 0; i < urls.size(); i++) {
        window.acquire();
        int index = i;
        HttpRequest request = HttpRequest.newBuilder(URI.create(urls.get(i))).build();
        var unused =
            client
                .sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .whenComplete(
                    (response, failure) -> {
                      if (response != null) {
                        out.record(index, response.statusCode(), response.body());
                      } else {
                        out.failed(index);
                      }
                      window.release();
                      done.countDown();
                    });
      }
      await(done, waitSeconds);
    }

    @Override
    public void close() {
      executor.shutdown();
    }
  }
}
