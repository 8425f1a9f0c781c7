package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15: a default deadline ends any single input that stalls. A server that drips its body at
 * one byte a second never trips a read timeout, and a resolver that does not answer (a host that
 * cannot be resolved, with the resolver's server gone) trips none at all; with nothing configured,
 * the input must still end, as a {@link ErrorKind#TIMEOUT}, without {@code close()}.
 *
 * <p>The three policies run at once, so that the case costs one deadline, not three. The issue
 * leaves the default's value to its implementation: this test waits {@link
 * #DEFAULT_DEADLINE_AT_MOST} for it.
 */
@Timeout(200)
class FaultsDeadlineTest {
  /** The longest default deadline this test waits for; set it to the chosen default plus slack. */
  static final Duration DEFAULT_DEADLINE_AT_MOST = Duration.ofMinutes(2);

  @RegisterExtension final Uncaught uncaught = new Uncaught();
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();
  private final CountDownLatch resolverAnswers = new CountDownLatch(1);

  @AfterEach
  void answerTheResolver() {
    resolverAnswers.countDown();
  }

  @Test
  void aDrippedBodyOrASilentResolverIsEndedByTheDefaultDeadlineUnderEveryPolicy() throws Exception {
    for (int i = 0; i < 3; i++) {
      server.enqueue(
          new MockResponse.Builder()
              .body(new Buffer().write(new byte[100_000]))
              .throttleBody(1, 1, TimeUnit.SECONDS)
              .build());
    }
    // A resolver that does not answer, as one whose server is gone: an unresolvable host.
    OkHttpClient silentResolver =
        new OkHttpClient.Builder()
            .dns(
                hostname -> {
                  try {
                    resolverAnswers.await(
                        DEFAULT_DEADLINE_AT_MOST.toSeconds() + 30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  throw new UnknownHostException(hostname + ": the resolver did not answer");
                })
            .build();
    Map<String, CompletableFuture<List<Result>>> batches = new LinkedHashMap<>();
    Policies.all()
        .forEach(
            policy -> {
              batches.put(
                  policy + ", body dripped",
                  leaks
                      .track(BatchFetcher.builder().policy(policy).build())
                      .fetchAll(List.of(server.url("/drip").toString())));
              batches.put(
                  policy + ", resolver silent",
                  leaks
                      .track(BatchFetcher.builder().policy(policy).client(silentResolver).build())
                      .fetchAll(List.of("http://silent.invalid/")));
            });
    long deadline = System.nanoTime() + DEFAULT_DEADLINE_AT_MOST.toNanos();

    List<String> broke = new ArrayList<>();
    for (Map.Entry<String, CompletableFuture<List<Result>>> batch : batches.entrySet()) {
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        Result result = batch.getValue().get(left, TimeUnit.NANOSECONDS).get(0);
        if (result.error() != ErrorKind.TIMEOUT) {
          broke.add(batch.getKey() + ": " + result);
        }
      } catch (TimeoutException e) {
        broke.add(batch.getKey() + ": not done after " + DEFAULT_DEADLINE_AT_MOST);
      } catch (ExecutionException e) {
        broke.add(batch.getKey() + ": failed with " + e.getCause());
      }
    }

    assertThat(broke).as("inputs that did not end by themselves").isEmpty();
  }
}
