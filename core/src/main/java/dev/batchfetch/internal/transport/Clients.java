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
 * failure of one call ({@link UserCodeFailure}), and the network interceptor that tells each
 * exchange when its request leaves.
 */
public final class Clients {
  /** The most idle connections the shared pool keeps, and for how long. */
  private static final int SHARED_IDLE = 256;

  private static final Duration SHARED_KEEP_ALIVE = Duration.ofMinutes(1);

  private Clients() {}

  /**
   * A client for one fetcher, with its own dispatcher on {@code threads}, sized to {@code
   * concurrency}.
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
                .connectionPool(new ConnectionPool(concurrency, 5, TimeUnit.MINUTES));
    builder.dispatcher(dispatcher);
    builder.interceptors().add(0, UserCodeFailure.guard());
    builder.addNetworkInterceptor(OkHttpTransport.leaving());
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
                new ConnectionPool(SHARED_IDLE, SHARED_KEEP_ALIVE.toNanos(), TimeUnit.NANOSECONDS))
            .sslSocketFactory(LazyTls.socketFactory(), LazyTls.trustManager())
            .build();
  }
}
