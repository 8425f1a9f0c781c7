package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.internal.quota.QuotaHeaders;
import dev.batchfetch.internal.quota.QuotaSignal;
import dev.batchfetch.testing.QuotaModel;
import dev.batchfetch.testing.QuotaServer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loopback quota servers of discovery's acceptance runs: they hold 256 connections for half a
 * second each at once, enforce their model and count what they refused.
 */
@Timeout(60)
class QuotaServerTest {
  private static final Duration LATENCY = Duration.ofMillis(500);

  private final Dispatcher dispatcher = new Dispatcher();
  private final OkHttpClient client;

  QuotaServerTest() {
    dispatcher.setMaxRequests(256);
    dispatcher.setMaxRequestsPerHost(256);
    client =
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .connectionPool(new ConnectionPool(256, 1, TimeUnit.MINUTES))
            .build();
  }

  @AfterEach
  void closeClient() {
    dispatcher.executorService().shutdown();
    client.connectionPool().evictAll();
  }

  /** One answer: its status and the quota its headers announce. */
  record Answer(int status, QuotaSignal signal) {}

  private List<Answer> fetchAtOnce(QuotaServer server, int count) throws InterruptedException {
    List<Answer> answers = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(count);
    for (int i = 0; i < count; i++) {
      Request request = new Request.Builder().url(server.url("/id/" + i).toString()).build();
      client
          .newCall(request)
          .enqueue(
              new Callback() {
                @Override
                public void onResponse(Call call, Response response) {
                  try (response) {
                    answers.add(
                        new Answer(
                            response.code(),
                            QuotaHeaders.parse(response.headers(), Instant.now())));
                  } finally {
                    done.countDown();
                  }
                }

                @Override
                public void onFailure(Call call, IOException e) {
                  done.countDown();
                }
              });
    }
    assertThat(done.await(20, TimeUnit.SECONDS)).as("all answered").isTrue();
    return answers;
  }

  @Test
  void holds256ConnectionsForHalfASecondWithoutAThreadEach() throws Exception {
    try (QuotaServer server =
        QuotaServer.start(new QuotaModel.TokenBucket(10, 20, false, false), LATENCY)) {
      long start = System.nanoTime();
      List<Answer> answers = fetchAtOnce(server, 256);
      long elapsed = System.nanoTime() - start;

      assertThat(answers).hasSize(256);
      // One after another, 256 answers of 0.5 s would take 128 s; together, about one latency.
      assertThat(Duration.ofNanos(elapsed)).isLessThan(Duration.ofSeconds(10));
      assertThat(server.arrivals()).isEqualTo(256);
      long refused = answers.stream().filter(a -> a.status() == 429).count();
      assertThat(server.refused()).isEqualTo(refused);
      long accepted = 256 - refused;
      double seconds = elapsed / 1e9;
      assertThat(accepted).isBetween(20L, 20 + (long) Math.ceil(10 * seconds));
    }
  }

  @Test
  void announcesItsTokenBucketInTheDraftsFields() throws Exception {
    try (QuotaServer server =
        QuotaServer.start(new QuotaModel.TokenBucket(10, 3, true, true), Duration.ZERO)) {
      List<Answer> answers = fetchAtOnce(server, 8);

      assertThat(answers).allSatisfy(a -> assertThat(a.signal().limit()).isEqualTo(10));
      assertThat(answers).allSatisfy(a -> assertThat(a.signal().window()).hasSeconds(1));
      assertThat(answers)
          .filteredOn(a -> a.status() == 429)
          .isNotEmpty()
          .allSatisfy(a -> assertThat(a.signal().retryAfter()).isNotNull());
    }
  }

  @Test
  void countsAFixedWindowsCallsAndRefusesTheRest() throws Exception {
    try (QuotaServer server =
        QuotaServer.start(new QuotaModel.FixedWindow(5, 60, true, true), Duration.ZERO)) {
      List<Answer> answers = fetchAtOnce(server, 12);

      // Twelve calls within a second of a 60-second window: five pass, unless the window turned.
      long accepted = answers.stream().filter(a -> a.status() == 200).count();
      assertThat(accepted).isBetween(5L, 10L);
      assertThat(server.refused()).isEqualTo(12 - accepted);
      assertThat(answers)
          .filteredOn(a -> a.status() == 429)
          .allSatisfy(a -> assertThat(a.signal().remaining()).isZero());
    }
  }
}
