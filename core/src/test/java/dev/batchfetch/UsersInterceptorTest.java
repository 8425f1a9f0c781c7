package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12: an interceptor of the user's client that throws something other than an {@code
 * IOException} is a bug in user code: {@code UNEXPECTED}, after one attempt, carrying the user's
 * exception, the same under every policy. Under {@code async} OkHttp used to turn it into an {@code
 * IOException} (so {@code IO}, retried three times) and rethrow it on its dispatcher thread, to the
 * uncaught-exception handler.
 */
@Timeout(30)
class UsersInterceptorTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private Thread.UncaughtExceptionHandler previous;

  @BeforeEach
  void recordUncaughtExceptions() {
    previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
  }

  @AfterEach
  void restoreHandler() {
    Thread.setDefaultUncaughtExceptionHandler(previous);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void anInterceptorThatThrowsBeforeSendingGivesUnexpectedAfterOneAttempt(ExecutionPolicy policy) {
    IllegalStateException bug = new IllegalStateException("no token");
    BatchFetcher fetcher =
        fetcherWith(
            policy,
            chain -> {
              throw bug;
            });

    List<Result> results = fetcher.fetchAll(Urls.ids(server, 3)).join();

    assertThat(results)
        .hasSize(3)
        .allSatisfy(
            r -> {
              assertThat(r.error()).as("%s", r).isEqualTo(ErrorKind.UNEXPECTED);
              assertThat(r.attempts()).isEqualTo(1);
              assertThat(r.exception()).isSameAs(bug);
            });
    assertThat(server.getRequestCount()).isZero();
    NoLeaks.closeAndCheck(fetcher);
    assertThat(uncaught).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void anInterceptorThatThrowsAfterTheResponseCameIsUnexpectedToo(ExecutionPolicy policy) {
    for (int i = 0; i < 3; i++) {
      server.enqueue(new MockResponse.Builder().body("x".repeat(1_000)).build());
    }
    OkHttpClient users =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  var unused = chain.proceed(chain.request()); // the body left unread and unclosed
                  throw new UnsupportedOperationException("cannot parse");
                })
            .build();
    // Not tracked: the interceptor leaks the response, whose connection OkHttp keeps counted
    // until the call is collected (its socket closed by the cancel, as OkHttp's own does).
    BatchFetcher fetcher = BatchFetcher.builder().client(users).policy(policy).build();

    List<Result> results = fetcher.fetchAll(Urls.ids(server, 3)).join();

    assertThat(results)
        .allSatisfy(
            r -> {
              assertThat(r.error()).as("%s", r).isEqualTo(ErrorKind.UNEXPECTED);
              assertThat(r.attempts()).isEqualTo(1);
              assertThat(r.exception()).isInstanceOf(UnsupportedOperationException.class);
            });
    assertThat(server.getRequestCount()).isEqualTo(3);
    fetcher.close();
    assertThat(uncaught).isEmpty();
  }

  private BatchFetcher fetcherWith(ExecutionPolicy policy, Interceptor interceptor) {
    OkHttpClient users = new OkHttpClient.Builder().addInterceptor(interceptor).build();
    return leaks.track(BatchFetcher.builder().client(users).policy(policy).build());
  }
}
