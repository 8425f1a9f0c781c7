package dev.batchfetch.benchmarks;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;
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
 * What batchfetch costs per call without any I/O: a fetcher whose OkHttp client answers every call
 * at once from an application interceptor, so that {@code fetchAll} measures admission (rate
 * limiter, bulkheads, the admission loop), scheduling (the policy's threads or OkHttp's
 * dispatcher), building each request and assembling each result. One operation is one call: a batch
 * of {@value #BATCH} URLs per invocation.
 *
 * <p>{@link RawOkHttpBaseline} runs raw OkHttp through the same interceptor: the difference is what
 * batchfetch adds.
 *
 * <p>{@code limited} sets a rate limit so high (10^9 per second, burst 10^9) that no call ever
 * waits, yet every call takes its permit: the limiter's own cost. The admission classes are
 * package-private, so this is the smallest unit measurable from outside that still runs them all.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AdmissionBenchmark {
  static final int BATCH = 1_000;
  private static final MediaType TEXT = MediaType.get("text/plain");

  @Param({"sequential", "pool(16)", "async(64)"})
  public String policy = "async(64)";

  @Param({"unlimited", "limited"})
  public String rate = "unlimited";

  private @Nullable BatchFetcher fetcher;
  private List<String> urls = List.of();

  /** An OkHttp client whose application interceptor answers every call at once, "1". */
  static OkHttpClient answering() {
    return new OkHttpClient.Builder()
        .addInterceptor(
            chain ->
                new Response.Builder()
                    .request(chain.request())
                    .protocol(Protocol.HTTP_1_1)
                    .code(200)
                    .message("OK")
                    .body(ResponseBody.create("1", TEXT))
                    .build())
        .build();
  }

  @Setup(Level.Trial)
  public void setUp() {
    OkHttpClient answering = answering();
    BatchFetcher.Builder builder = BatchFetcher.builder().client(answering).policy(policy(policy));
    if (rate.equals("limited")) {
      builder.rateLimit(RateLimit.perSecond(1_000_000_000L).withBurst(1_000_000_000L));
    }
    fetcher = builder.build();
    // Never connected to: the interceptor answers before OkHttp would open a connection.
    urls = Outcomes.urls("http://127.0.0.1:9/id/", BATCH);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (fetcher != null) {
      fetcher.close();
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public List<Result> fetchAll() {
    BatchFetcher f = fetcher;
    if (f == null) {
      throw new IllegalStateException("not set up");
    }
    return f.fetchAll(urls).join();
  }

  static ExecutionPolicy policy(String name) {
    return switch (name) {
      case "sequential" -> ExecutionPolicy.sequential();
      case "pool(16)" -> ExecutionPolicy.pool(16);
      case "async(64)" -> ExecutionPolicy.async(64);
      default -> throw new IllegalArgumentException("no policy " + name);
    };
  }
}
