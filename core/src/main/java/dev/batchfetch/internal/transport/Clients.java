package dev.batchfetch.internal.transport;

import dev.batchfetch.internal.Settings;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * How a fetcher gets its OkHttp client, following OkHttp's advice to share one client and derive
 * the others from it with {@code newBuilder()}.
 *
 * <p>Without a client of the user's, every fetcher of the JVM derives from one base, built on first
 * use, and shares its connection pool, so that fetchers used one after another (the one-liner in a
 * loop) reuse each other's connections instead of each leaving its own open. The base sets up TLS
 * on its first {@code https} connection, not before ({@link LazyTls}): a batch of {@code http} URLs
 * never pays for the platform's trust store.
 *
 * <p>With a user's client, the fetcher derives from it, keeping its interceptors, TLS, proxy, DNS,
 * cookie jar and cache, with a connection pool of its own, sized to its concurrency, that closing
 * the fetcher empties: the user's client is never changed.
 *
 * <p>Either way the derived client has a dispatcher of the fetcher's on the given threads, sized to
 * its concurrency, the fetcher's timeouts, the guard that turns what interceptors throw into the
 * failure of one call ({@link ThrownInCall}), and the network interceptor that tells each exchange
 * when its request leaves; OkHttp's own retries and redirects are off ({@link #derive}).
 */
public final class Clients {
  /** The most idle connections the shared pool keeps. */
  private static final int SHARED_IDLE = 256;

  /**
   * How long an idle connection is kept for reuse: less than the 5 seconds after which Apache's and
   * Node's servers close an idle connection by default (nginx waits 75). OkHttp does not retry a
   * request on a connection the server closed meanwhile for the fetcher (see {@link #derive}), and
   * a request written to one is lost: an attempt that fails, to be retried after its backoff, under
   * a permit of its own. A connection idle this long belongs to a call pace of one every few
   * seconds, which a new connection costs next to nothing.
   */
  static final Duration KEEP_ALIVE = Duration.ofSeconds(4);

  private Clients() {}

  /**
   * A client for one fetcher, derived from the user's (with a connection pool of its own, sized to
   * {@code concurrency}) or from the JVM's base (sharing its pool): its own dispatcher on {@code
   * threads}, sized to {@code concurrency}, the fetcher's timeouts, and the fetcher's two
   * interceptors ({@link Interceptors}).
   *
   * <p>OkHttp's own retries and follow-ups are off: it would send again a request whose connection
   * failed (a POST the server may have acted on), a 408, a 503 with {@code Retry-After: 0}, and
   * every hop of a redirect, none of them under the fetcher's rate limit and bulkhead, nor counted
   * in its attempts. The fetcher does each of these itself, as attempts of their own ({@link
   * Redirects}).
   */
  public static OkHttpClient derive(Settings settings, int concurrency, ExecutorService threads) {
    Dispatcher dispatcher = new Dispatcher(threads);
    // Only admitted calls reach the dispatcher, so its limits only need to let them all run.
    dispatcher.setMaxRequests(concurrency);
    dispatcher.setMaxRequestsPerHost(concurrency);
    OkHttpClient users = settings.client();
    OkHttpClient.Builder builder =
        users == null
            ? Base.CLIENT.newBuilder()
            : users
                .newBuilder()
                .connectionPool(
                    new ConnectionPool(concurrency, KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS));
    builder.interceptors().add(0, Interceptors.GUARD); // around the user's interceptors too
    builder
        .dispatcher(dispatcher)
        .addNetworkInterceptor(Interceptors.NETWORK)
        .retryOnConnectionFailure(false)
        .followRedirects(false)
        .followSslRedirects(false);
    Settings.Timeouts timeouts = settings.timeouts();
    set(timeouts.connect(), builder::connectTimeout);
    set(timeouts.read(), builder::readTimeout);
    set(timeouts.write(), builder::writeTimeout);
    set(timeouts.call(), builder::callTimeout);
    return builder.build();
  }

  /** Whether {@code client} sends on the JVM's shared connection pool, not a fetcher's own. */
  public static boolean sharesPool(OkHttpClient client) {
    return client.connectionPool() == Base.CLIENT.connectionPool();
  }

  /** The redirects the user's client follows (OkHttp's default: all), for the fetcher to follow. */
  public static Redirects redirects(Settings settings) {
    OkHttpClient base = settings.client();
    return base == null
        ? Redirects.DEFAULT
        : new Redirects(base.followRedirects(), base.followSslRedirects());
  }

  /**
   * {@code client} without the user's application interceptors, for the requests of redirects: made
   * from a request as those interceptors left it, they are not to pass them again.
   */
  public static OkHttpClient withoutApplicationInterceptors(OkHttpClient client) {
    OkHttpClient.Builder builder = client.newBuilder();
    builder.interceptors().removeIf(interceptor -> interceptor != Interceptors.GUARD);
    return builder.build();
  }

  private static void set(
      @Nullable Duration timeout, Function<Duration, OkHttpClient.Builder> setter) {
    if (timeout != null) {
      var unused = setter.apply(timeout);
    }
  }

  /** The JVM's base client, built on first use. */
  private static final class Base {
    static final OkHttpClient CLIENT =
        new OkHttpClient.Builder()
            .connectionPool(
                new ConnectionPool(SHARED_IDLE, KEEP_ALIVE.toNanos(), TimeUnit.NANOSECONDS))
            .sslSocketFactory(LazyTls.socketFactory(), LazyTls.trustManager())
            .build();
  }
}
