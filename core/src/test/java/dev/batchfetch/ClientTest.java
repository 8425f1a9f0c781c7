package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A user's own OkHttpClient, default headers and timeouts. */
@Timeout(30)
class ClientTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final Routes routes =
      new Routes(Map.of("/hello", new MockResponse.Builder().body("hi").build()));

  @Test
  void derivesFromTheUsersClientWithoutChangingIt() throws Exception {
    server.setDispatcher(routes);
    OkHttpClient users =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain ->
                    chain.proceed(
                        chain.request().newBuilder().header("X-From-User", "yes").build()))
            .readTimeout(Duration.ofSeconds(7))
            .build();
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().client(users).policy(ExecutionPolicy.async(32)).build());

    Result result = fetcher.fetchAll(List.of(url("/hello"))).join().get(0);

    assertThat(result.text()).isEqualTo("hi");
    assertThat(routes.take("/hello").getHeaders().get("X-From-User")).isEqualTo("yes");
    OkHttpClient derived = fetcher.client();
    assertThat(derived.readTimeoutMillis()).isEqualTo(7_000);
    assertThat(derived.dispatcher()).isNotSameAs(users.dispatcher());
    assertThat(derived.connectionPool()).isNotSameAs(users.connectionPool());
    assertThat(derived.dispatcher().getMaxRequestsPerHost()).isEqualTo(32);
    assertThat(users.dispatcher().getMaxRequestsPerHost()).isEqualTo(5);
    assertThat(users.dispatcher().getMaxRequests()).isEqualTo(64);

    NoLeaks.closeAndCheck(fetcher);
    try (Response stillWorks =
        users.newCall(new Request.Builder().url(url("/hello")).build()).execute()) {
      assertThat(stillWorks.body().string()).isEqualTo("hi");
    }
    users.connectionPool().evictAll();
  }

  @Test
  void builderTimeoutsOverrideTheUsersClient() {
    OkHttpClient users = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(7)).build();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .client(users)
                .connectTimeout(Duration.ofSeconds(1))
                .readTimeout(Duration.ofSeconds(2))
                .writeTimeout(Duration.ofSeconds(3))
                .callTimeout(Duration.ofSeconds(4))
                .build());

    OkHttpClient derived = fetcher.client();
    assertThat(derived.connectTimeoutMillis()).isEqualTo(1_000);
    assertThat(derived.readTimeoutMillis()).isEqualTo(2_000);
    assertThat(derived.writeTimeoutMillis()).isEqualTo(3_000);
    assertThat(derived.callTimeoutMillis()).isEqualTo(4_000);
    assertThat(users.readTimeoutMillis()).isEqualTo(7_000);
  }

  @Test
  void sendsItsUserAgentAndDefaultHeadersWhichARequestMayOverride() throws Exception {
    server.setDispatcher(
        new Routes(
            Map.of(
                "/a", new MockResponse.Builder().build(),
                "/b", new MockResponse.Builder().build())));
    Routes seen = (Routes) server.getDispatcher();
    BatchFetcher plain = leaks.track(BatchFetcher.sequential());
    BatchFetcher custom =
        leaks.track(
            BatchFetcher.builder()
                .userAgent("crawler/2")
                .defaultHeader("Accept", "application/json")
                .build());

    plain.fetchAll(List.of(url("/a"))).join();
    custom
        .fetchAllRequests(List.of(FetchRequest.get(url("/b")).withHeader("accept", "text/plain")))
        .join();

    assertThat(seen.take("/a").getHeaders().get("User-Agent")).startsWith("batchfetch/");
    RecordedRequest b = seen.take("/b");
    assertThat(b.getHeaders().get("User-Agent")).isEqualTo("crawler/2");
    assertThat(b.getHeaders().values("Accept")).containsExactly("text/plain");
  }

  private String url(String path) {
    return server.url(path).toString();
  }
}
