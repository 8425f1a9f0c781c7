package dev.batchfetch;

import static dev.batchfetch.FaultChecks.FAST_RETRIES;
import static dev.batchfetch.FaultChecks.completes;
import static dev.batchfetch.FaultChecks.oneResultPerInput;
import static dev.batchfetch.FaultChecks.serverSawEveryAttempt;
import static dev.batchfetch.FaultChecks.staysUsable;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15 at scale: many hosts that do not resolve, and a server failing at random while it counts
 * the requests it read.
 */
@Timeout(120)
class FaultsScaleTest {
  @RegisterExtension final Uncaught uncaught = new Uncaught();
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  private final FaultServer server = FaultServer.start();

  @AfterEach
  void stopServer() {
    server.close();
  }

  /** Resolves loopback names; fails at once for every other, as a resolver on loopback would. */
  private static final Dns LOOPBACK_ONLY =
      hostname -> {
        if (hostname.equals("127.0.0.1") || hostname.equals("localhost")) {
          return List.of(InetAddress.getLoopbackAddress());
        }
        throw new UnknownHostException(hostname + ": no such host (loopback resolver)");
      };

  static Stream<ExecutionPolicy> policiesAndPool64() {
    return Stream.concat(Policies.all(), Stream.of(ExecutionPolicy.pool(64)));
  }

  /**
   * 10,000 hosts under the reserved {@code .invalid} domain, resolved by a resolver that fails at
   * once on loopback (nothing leaves the machine): every input a {@link ErrorKind#CONNECT} result,
   * the batch done in bounded time.
   */
  @ParameterizedTest
  @MethodSource("policiesAndPool64")
  void tenThousandUnresolvableHostsEachGetAResult(ExecutionPolicy policy) {
    OkHttpClient client = new OkHttpClient.Builder().dns(LOOPBACK_ONLY).build();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder().policy(policy).client(client).retry(FAST_RETRIES).build());
    List<String> urls =
        IntStream.range(0, 10_000).mapToObj(i -> "http://host-" + i + ".invalid/").toList();

    List<Result> results = completes(fetcher.fetchAll(urls), Duration.ofSeconds(60));

    oneResultPerInput(results, urls);
    assertThat(results).extracting(Result::error).containsOnly(ErrorKind.CONNECT);
    staysUsable(fetcher, server);
  }

  /**
   * 2,000 URLs (the campaign had 20,000), 30% of requests failing at random: 500, 503, or a
   * reset before any answer. The server's count of requests equals the sum of the attempts.
   */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void randomFailuresAtScaleHideNoRequest(ExecutionPolicy policy) {
    Random random = new Random(15);
    server.on(
        "/flaky",
        (request, wire) -> {
          int roll;
          synchronized (random) {
            roll = random.nextInt(10);
          }
          return switch (roll) {
            case 0 -> wire.respond(500, "Oops", new byte[0]);
            case 1 -> wire.respond(503, "Busy", new byte[0]);
            case 2 -> wire.reset();
            default -> wire.respond(200, "OK", new byte[] {'o', 'k'});
          };
        });
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).retry(FAST_RETRIES).build());
    List<String> urls = server.urls("/flaky", 2_000);

    List<Result> results = completes(fetcher.fetchAll(urls), Duration.ofSeconds(90));

    oneResultPerInput(results, urls);
    serverSawEveryAttempt(server, results);
    staysUsable(fetcher, server);
  }
}
