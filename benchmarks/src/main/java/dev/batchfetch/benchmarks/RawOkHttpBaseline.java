package dev.batchfetch.benchmarks;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The baseline of {@link AdmissionBenchmark}: raw OkHttp through the same answering interceptor,
 * without batchfetch. {@code execute} is a loop of blocking calls (compare with {@code
 * sequential}); {@code enqueue(64)} is the tuned enqueue of the suite, a semaphore of 64 and the
 * dispatcher's limits raised to 64 (compare with {@code async(64)}). What batchfetch adds per call
 * is the difference.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RawOkHttpBaseline {
  private static final int WIDTH = 64;

  @Param({"execute", "enqueue(64)"})
  public String mode = "execute";

  private OkHttpClient client = new OkHttpClient();
  private List<Request> requests = List.of();

  @Setup(Level.Trial)
  public void setUp() {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(WIDTH);
    dispatcher.setMaxRequestsPerHost(WIDTH);
    client =
        AdmissionBenchmark.answering()
            .newBuilder()
            .dispatcher(dispatcher)
            .connectionPool(new ConnectionPool(WIDTH, 5, TimeUnit.MINUTES))
            .build();
    requests =
        Outcomes.urls("http://127.0.0.1:9/id/", AdmissionBenchmark.BATCH).stream()
            .map(url -> new Request.Builder().url(url).build())
            .toList();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    client.dispatcher().executorService().shutdown();
  }

  @Benchmark
  @OperationsPerInvocation(AdmissionBenchmark.BATCH)
  public int fetchAll() throws Exception {
    return mode.equals("execute") ? executeAll() : enqueueAll();
  }

  private int executeAll() throws IOException {
    int total = 0;
    for (Request request : requests) {
      try (Response response = client.newCall(request).execute()) {
        total += response.body().string().length();
      }
    }
    return total;
  }

  private int enqueueAll() throws InterruptedException {
    Semaphore window = new Semaphore(WIDTH);
    CountDownLatch done = new CountDownLatch(requests.size());
    for (Request request : requests) {
      window.acquire();
      client
          .newCall(request)
          .enqueue(
              new Callback() {
                @Override
                public void onResponse(Call call, Response response) throws IOException {
                  try (response) {
                    response.body().string();
                  } finally {
                    window.release();
                    done.countDown();
                  }
                }

                @Override
                public void onFailure(Call call, IOException e) {
                  window.release();
                  done.countDown();
                }
              });
    }
    if (!done.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("calls still running");
    }
    return requests.size();
  }
}
