package dev.batchfetch.internal.transport;

import dev.batchfetch.internal.Settings;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/** How a fetcher gets its OkHttp client. */
public final class Clients {
  private Clients() {}

  /**
   * A client for one fetcher, derived from the user's (or a new one): its own dispatcher on {@code
   * threads} and connection pool, both sized to {@code concurrency}, the fetcher's timeouts, and
   * the network interceptor that tells each exchange when its request leaves.
   */
  public static OkHttpClient derive(Settings settings, int concurrency, ExecutorService threads) {
    Dispatcher dispatcher = new Dispatcher(threads);
    // Only admitted calls reach the dispatcher, so its limits only need to let them all run.
    dispatcher.setMaxRequests(concurrency);
    dispatcher.setMaxRequestsPerHost(concurrency);
    OkHttpClient base = settings.client();
    OkHttpClient.Builder builder = base == null ? new OkHttpClient.Builder() : base.newBuilder();
    builder
        .dispatcher(dispatcher)
        .connectionPool(new ConnectionPool(concurrency, 5, TimeUnit.MINUTES))
        .addNetworkInterceptor(OkHttpTransport.leaving());
    Settings.Timeouts timeouts = settings.timeouts();
    set(timeouts.connect(), builder::connectTimeout);
    set(timeouts.read(), builder::readTimeout);
    set(timeouts.write(), builder::writeTimeout);
    set(timeouts.call(), builder::callTimeout);
    return builder.build();
  }

  private static void set(
      @Nullable Duration timeout,
      java.util.function.Function<Duration, OkHttpClient.Builder> setter) {
    if (timeout != null) {
      var unused = setter.apply(timeout);
    }
  }
}
