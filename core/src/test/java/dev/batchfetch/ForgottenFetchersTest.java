package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12: the design card's one-liner, {@code BatchFetcher.async(64).fetchAll(urls).join()},
 * never closes its fetcher. Called in a loop it must not pile up threads or sockets, a fetcher
 * nobody references must be cleaned up, gently, and an idle fetcher must hold no thread.
 *
 * <p>The server here is the JDK's, on four threads of its own, so that the JVM's thread count is
 * the client's (MockWebServer runs a thread per connection).
 */
@Timeout(120)
class ForgottenFetchersTest {
  private static final int WIDTH = 64;

  /**
   * Threads the loop may take beyond the policy's width: the shared timer and cleaner, a thread or
   * two handing work over, OkHttp's task runners, Okio's watchdog, and the test server's four.
   * Measured: 15 on top of the 64 here.
   */
  private static final int SMALL_CONSTANT = 24;

  private final ExecutorService serverThreads = Executors.newFixedThreadPool(4);
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile boolean hold;
  private HttpServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1_000);
    server.setExecutor(serverThreads);
    server.createContext(
        "/",
        exchange -> {
          try {
            if (hold) {
              release.await(30, TimeUnit.SECONDS);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body = exchange.getRequestURI().getPath().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stopServer() {
    release.countDown();
    server.stop(0);
    serverThreads.shutdownNow();
  }

  @Test
  void theOneLinerInALoopKeepsThreadsAndSocketsFlat() throws IOException {
    List<String> urls = urls(WIDTH);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int threadsBefore = threads.getThreadCount();
    long socketsBefore = sockets();
    int maxThreads = 0;
    long maxSockets = 0;
    long start = System.nanoTime();

    for (int i = 1; i <= 1_000; i++) {
      List<Result> results = BatchFetcher.async(WIDTH).fetchAll(urls).join();

      assertThat(results).hasSize(WIDTH).allMatch(Result::isSuccess);
      maxThreads = Math.max(maxThreads, threads.getThreadCount() - threadsBefore);
      maxSockets = Math.max(maxSockets, sockets() - socketsBefore);
      // Fails at the second call where every fetcher keeps threads of its own.
      assertThat(maxThreads)
          .as("threads the JVM gained by call %d (%d before)", i, threadsBefore)
          .isLessThanOrEqualTo(WIDTH + SMALL_CONSTANT);
      // Client and server side of each connection: reused, not left open by each fetcher.
      assertThat(maxSockets)
          .as("sockets the JVM gained by call %d", i)
          .isLessThanOrEqualTo(2L * (WIDTH + SMALL_CONSTANT));
    }
    System.out.printf(
        "1,000 one-liners of %d URLs in %d ms: at most %d threads (%d before) and %d sockets more%n",
        WIDTH,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
        maxThreads,
        threadsBefore,
        maxSockets);
  }

  @Test
  void aFetcherNobodyReferencesFinishesItsBatchThenLetsItsConnectionsGo() {
    hold = true;
    OkHttpClient users = new OkHttpClient(); // a client of the user's: a pool of the fetcher's own
    BatchFetcher fetcher =
        BatchFetcher.builder().client(users).policy(ExecutionPolicy.async(4)).build();
    ConnectionPool pool = fetcher.client().connectionPool();
    String name = fetcher.name();
    CompletableFuture<List<Result>> batch = fetcher.fetchAll(urls(8));
    await().until(() -> pool.connectionCount() == 4);
    WeakReference<BatchFetcher> forgotten = new WeakReference<>(fetcher);
    fetcher = null;

    await("the fetcher to be collected")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              System.gc();
              return forgotten.get() == null;
            });
    release.countDown();

    // Shut down gently: the batch it ran when it was forgotten still ends as it would have.
    assertThat(batch.join()).hasSize(8).allMatch(Result::isSuccess);
    await("its connections to close")
        .atMost(Duration.ofSeconds(10))
        .until(() -> pool.connectionCount() == 0);
    await("its threads to stop")
        .atMost(Duration.ofSeconds(10))
        .until(() -> NoLeaks.fetcherThreads(name + "-").isEmpty());
  }

  @Test
  void anIdleFetcherHoldsNoThreadAndTheSharedOnesEndAfterAFewSeconds() {
    try (BatchFetcher fetcher = BatchFetcher.builder().policy(Policies.pool(8)).build()) {
      assertThat(fetcher.fetchAll(urls(32)).join()).allMatch(Result::isSuccess);

      await().atMost(Duration.ofSeconds(5)).until(() -> fetcher.activeThreads() == 0);
      assertThat(NoLeaks.fetcherThreads(fetcher.name() + "-")).isEmpty();
      // The JVM's shared threads serve the next fetcher for a few seconds, then end; only the
      // cleaner stays, one for the JVM.
      await("the shared threads to end")
          .atMost(Duration.ofSeconds(15))
          .until(() -> sharedThreads().allMatch(name -> name.contains("-cleaner-")));
      assertThat(fetcher.isShutdown()).isFalse(); // idle, not shut down: it works on
      assertThat(fetcher.fetchAll(urls(4)).join()).allMatch(Result::isSuccess);
    }
  }

  private static Stream<String> sharedThreads() {
    return NoLeaks.fetcherThreads("batchfetch-shared-").stream();
  }

  private List<String> urls(int count) {
    String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/id/";
    return IntStream.range(0, count).mapToObj(i -> base + i).collect(Collectors.toList());
  }

  /** Open sockets of this process, read from {@code /proc/self/fd} (Linux). */
  private static long sockets() throws IOException {
    Path fds = Path.of("/proc/self/fd");
    assumeThat(Files.isDirectory(fds)).as("/proc/self/fd (Linux)").isTrue();
    try (Stream<Path> open = Files.list(fds)) {
      return open.filter(ForgottenFetchersTest::isSocket).count();
    }
  }

  private static boolean isSocket(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString().startsWith("socket:");
    } catch (IOException e) {
      return false; // closed meanwhile
    }
  }
}
