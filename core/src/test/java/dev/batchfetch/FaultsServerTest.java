package dev.batchfetch;

import static dev.batchfetch.FaultChecks.FAST_RETRIES;
import static dev.batchfetch.FaultChecks.completes;
import static dev.batchfetch.FaultChecks.oneResultPerInput;
import static dev.batchfetch.FaultChecks.serverSawEveryAttempt;
import static dev.batchfetch.FaultChecks.staysUsable;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.FaultServer.Next;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, servers that misbehave on the wire: stalls, resets, bombs, bad status lines, headers
 * that do not parse, connections that die after reading a request. Each case under every policy:
 * one result per input, nothing uncaught, no request the results do not count, the fetcher usable
 * afterwards.
 */
@Timeout(60)
class FaultsServerTest {
  @RegisterExtension final Uncaught uncaught = new Uncaught();
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  private final FaultServer server = FaultServer.start();

  @AfterEach
  void stopServer() {
    server.close();
  }

  private BatchFetcher fetcher(ExecutionPolicy policy, RetryPolicy retry) {
    return leaks.track(BatchFetcher.builder().policy(policy).retry(retry).build());
  }

  private BatchFetcher fetcherWithReadTimeout(ExecutionPolicy policy) {
    return leaks.track(
        BatchFetcher.builder()
            .policy(policy)
            .retry(FAST_RETRIES)
            .readTimeout(Duration.ofMillis(300))
            .build());
  }

  /** Fetches {@code urls} and checks what every case checks. */
  private List<Result> fetchAndCheck(BatchFetcher fetcher, List<String> urls) {
    return fetchAndCheck(fetcher, urls, server);
  }

  /**
   * Fetches {@code urls} and checks what every case checks, the fetcher's being still usable with
   * {@code after}: another server, when the case's server asked the fetcher to stay away.
   */
  private List<Result> fetchAndCheck(BatchFetcher fetcher, List<String> urls, FaultServer after) {
    List<Result> results = completes(fetcher.fetchAll(urls));
    oneResultPerInput(results, urls);
    serverSawEveryAttempt(server, results);
    staysUsable(fetcher, after);
    return results;
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aStallBeforeTheHeadersEndsAsATimeout(ExecutionPolicy policy) {
    server.on("/stall", (request, wire) -> wire.stall());
    BatchFetcher fetcher = fetcherWithReadTimeout(policy);

    List<Result> results = fetchAndCheck(fetcher, server.urls("/stall", 2));

    assertThat(results).extracting(Result::error).containsOnly(ErrorKind.TIMEOUT);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aStallInTheMiddleOfTheHeadersEndsAsATimeout(ExecutionPolicy policy) {
    server.on(
        "/stall",
        (request, wire) -> {
          wire.write("HTTP/1.1 200 OK\r\nContent-Type: te");
          return wire.stall();
        });
    BatchFetcher fetcher = fetcherWithReadTimeout(policy);

    List<Result> results = fetchAndCheck(fetcher, server.urls("/stall", 2));

    assertThat(results).extracting(Result::error).containsOnly(ErrorKind.TIMEOUT);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aStallInTheMiddleOfTheBodyEndsAsATimeout(ExecutionPolicy policy) {
    server.on(
        "/stall",
        (request, wire) -> {
          wire.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
          return wire.stall();
        });
    BatchFetcher fetcher = fetcherWithReadTimeout(policy);

    List<Result> results = fetchAndCheck(fetcher, server.urls("/stall", 2));

    assertThat(results).extracting(Result::error).containsOnly(ErrorKind.TIMEOUT);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aResetInTheMiddleOfTheBodyEndsAsIo(ExecutionPolicy policy) {
    server.on(
        "/reset",
        (request, wire) -> {
          wire.write("HTTP/1.1 200 OK\r\nContent-Length: 65536\r\n\r\n");
          wire.write(new byte[1000]);
          return wire.reset();
        });
    BatchFetcher fetcher = fetcher(policy, FAST_RETRIES);

    List<Result> results = fetchAndCheck(fetcher, server.urls("/reset", 3));

    assertThat(results).extracting(Result::error).containsOnly(ErrorKind.IO);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aGzipBombEndsAsBodyTooLarge(ExecutionPolicy policy) {
    server.on("/bomb", Bodies::gzipBomb);
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());

    List<Result> results = fetchAndCheck(fetcher, server.urls("/bomb", 2));

    assertThat(results).extracting(Result::error).containsOnly(ErrorKind.BODY_TOO_LARGE);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aChunkedBodyOf20MiBEndsAsBodyTooLarge(ExecutionPolicy policy) {
    server.on("/chunked", Bodies::chunked20MiB);
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());

    List<Result> results = fetchAndCheck(fetcher, server.urls("/chunked", 2));

    assertThat(results).extracting(Result::error).containsOnly(ErrorKind.BODY_TOO_LARGE);
  }

  static Stream<Arguments> badStatusLines() {
    return FaultChecks.policiesWith("HTTP/1.1 -12 Minus", "HTTP/1.1 000 Zero", "HTTP/1.1 012 Low");
  }

  /** Status 0 means no response: a status line out of 100..999 is a broken exchange, not a code. */
  @ParameterizedTest
  @MethodSource("badStatusLines")
  void aStatusLineOutOfRangeIsABrokenExchange(ExecutionPolicy policy, String statusLine) {
    server.on(
        "/bad",
        (request, wire) -> {
          wire.write(statusLine + "\r\nContent-Length: 2\r\n\r\nno");
          return Next.CLOSE;
        });
    BatchFetcher fetcher = fetcher(policy, FAST_RETRIES);

    List<Result> results = fetchAndCheck(fetcher, server.urls("/bad", 2));

    for (Result result : results) {
      assertThat(result.status()).as("%s", result).isZero();
      assertThat(result.error()).as("%s", result).isEqualTo(ErrorKind.IO);
      assertThat(result.exception()).as("%s", result).isInstanceOf(IOException.class);
    }
  }

  static Stream<Arguments> hugeRetryAfters() {
    return FaultChecks.policiesWith(
        "503:99999999999", "503:2147483648", "408:99999999999", "408:2147483648");
  }

  /**
   * A wait too long for an {@code int} is a wait past the cap: the 503's input is {@link
   * ErrorKind#RATE_LIMITED}, and so is the host's next input, unsent, as its server asked; the
   * fetcher goes on with other hosts. (A 408's {@code Retry-After} is not read: it is retried.)
   */
  @ParameterizedTest
  @MethodSource("hugeRetryAfters")
  void aRetryAfterTooLargeForAnIntIsAWaitBeyondTheCap(ExecutionPolicy policy, String answer) {
    int code = Integer.parseInt(answer.substring(0, 3));
    String retryAfter = answer.substring(4);
    server.on(
        "/busy",
        (request, wire) ->
            wire.respond(code, "Busy", "busy".getBytes(UTF_8), "Retry-After", retryAfter));
    BatchFetcher fetcher = fetcher(policy, FAST_RETRIES);

    List<Result> results;
    try (FaultServer other = FaultServer.start()) {
      results = fetchAndCheck(fetcher, server.urls("/busy", 2), other);
    }

    for (Result result : results) {
      assertThat(FaultChecks.causedBy(result.exception(), NumberFormatException.class))
          .as("%s", result)
          .isFalse();
      if (result.attempts() == 0) { // the host's next input, after the first was told to wait
        assertThat(result.error()).as("%s", result).isEqualTo(ErrorKind.RATE_LIMITED);
        continue;
      }
      assertThat(result.status()).as("%s", result).isEqualTo(code);
      if (code == 503) {
        assertThat(result.error()).as("%s", result).isEqualTo(ErrorKind.RATE_LIMITED);
      } else {
        assertThat(result.error())
            .as("%s", result)
            .isIn(ErrorKind.RATE_LIMITED, ErrorKind.HTTP_STATUS);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void every503WithRetryAfterZeroIsAnAttempt(ExecutionPolicy policy) {
    server.on(
        "/busy", (request, wire) -> wire.respond(503, "Busy", new byte[0], "Retry-After", "0"));
    // Discovery off: a 503 with Retry-After then uses up an attempt, and the batch ends after
    // three.
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .retry(FAST_RETRIES)
                .quotaDiscovery(false)
                .build());

    List<Result> results = fetchAndCheck(fetcher, server.urls("/busy", 10));

    assertThat(results).extracting(Result::status).containsOnly(503);
    assertThat(results).extracting(Result::attempts).containsOnly(3);
  }

  /**
   * With quota discovery (the default), a 503 with Retry-After is a sign of a quota, which does not
   * use up attempts while the host can slow down; past the input's rate-limit budget it ends as
   * {@link ErrorKind#RATE_LIMITED}, and every request the server saw is still an attempt.
   */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void every503WithRetryAfterZeroIsAnAttemptWhileDiscoveryListens(ExecutionPolicy policy) {
    server.on(
        "/busy", (request, wire) -> wire.respond(503, "Busy", new byte[0], "Retry-After", "0"));
    BatchFetcher fetcher =
        fetcher(policy, FAST_RETRIES.withRateLimitBudget(Duration.ofMillis(500)));

    // Three: the host is paced at about one call a second after the first refusals, and an input
    // past its budget ends at its next attempt.
    List<Result> results = fetchAndCheck(fetcher, server.urls("/busy", 3));

    assertThat(results).extracting(Result::error).containsOnly(ErrorKind.RATE_LIMITED);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void every408IsAnAttempt(ExecutionPolicy policy) {
    server.on("/slow", (request, wire) -> wire.respond(408, "Request Timeout", new byte[0]));
    BatchFetcher fetcher = fetcher(policy, FAST_RETRIES);

    List<Result> results = fetchAndCheck(fetcher, server.urls("/slow", 4));

    assertThat(results).extracting(Result::status).containsOnly(408);
  }

  static Stream<Arguments> absurdPolicies() {
    return FaultChecks.policiesWith("2000000000;w=1", "1;w=999999999999999", "1;w=31536000");
  }

  /**
   * A server's announced quota is clamped into sane bounds: one a year is a pause past the cap
   * ({@link ErrorKind#RATE_LIMITED}), not a batch parked until close.
   */
  @ParameterizedTest
  @MethodSource("absurdPolicies")
  void anAbsurdAnnouncedQuotaNeitherThrowsNorParksTheBatch(ExecutionPolicy policy, String quota) {
    server.on(
        "/quota",
        (request, wire) ->
            wire.respond(200, "OK", "ok".getBytes(UTF_8), "RateLimit-Policy", quota));
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .retry(FAST_RETRIES)
                .perHost(HostLimits.of(RateLimit.perSecond(50)))
                .adaptToServerQuota(true)
                .build());
    List<String> urls = server.urls("/quota", 20);

    List<Result> results = completes(fetcher.fetchAll(urls));

    oneResultPerInput(results, urls);
    serverSawEveryAttempt(server, results);
    assertThat(results)
        .allSatisfy(
            r ->
                assertThat(r.isSuccess() || r.error() == ErrorKind.RATE_LIMITED)
                    .as("%s", r)
                    .isTrue());
  }

  /**
   * A 204 has no body; bytes a server sends after one must not cost the next request on the
   * connection a retry, or send it twice.
   */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void strayBytesAfterA204CostTheNextRequestNothing(ExecutionPolicy policy) {
    server.on(
        "/empty",
        (request, wire) -> {
          wire.write("HTTP/1.1 204 No Content\r\n\r\nSTRAY BYTES\r\n");
          return Next.KEEP_ALIVE;
        });
    // One call at a time, so that every request after the first reuses the connection.
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder().policy(policy).retry(FAST_RETRIES).maxConcurrent(1).build());
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      urls.add(server.url((i % 2 == 0 ? "/empty/" : "/ok/") + i));
    }

    List<Result> results = fetchAndCheck(fetcher, urls);

    assertThat(results).allMatch(Result::isSuccess);
    assertThat(results).extracting(Result::attempts).containsOnly(1);
  }

  /**
   * Every hop of a redirect loop is a request: it waits for a permit like any other, and a loop,
   * which no retry cures, is not retried.
   */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aRedirectLoopIsPacedByTheRateLimitAndNotRetried(ExecutionPolicy policy) {
    AtomicInteger hop = new AtomicInteger();
    List<Long> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();
    server.on(
        "/loop",
        (request, wire) -> {
          arrivals.add(System.nanoTime());
          return wire.respond(
              301, "Moved", new byte[0], "Location", "/loop/" + hop.incrementAndGet());
        });
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder().policy(policy).rateLimit(RateLimit.perSecond(2)).build());
    List<String> urls = List.of(server.url("/loop/0"));

    List<Result> results = completes(fetcher.fetchAll(urls), Duration.ofSeconds(40));

    oneResultPerInput(results, urls);
    assertThat(results.get(0).isSuccess()).isFalse();
    assertThat(server.requests("/loop"))
        .as("requests of one redirect loop")
        .isLessThanOrEqualTo(21);
    // 2 a second: no 4 requests within one second.
    for (int i = 3; i < arrivals.size(); i++) {
      assertThat(Duration.ofNanos(arrivals.get(i) - arrivals.get(i - 3)))
          .as("time from request %d to request %d of %d", i - 3, i, arrivals.size())
          .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }
  }

  /**
   * A redirect is followed as an attempt of its own (counted, under the limits), to another host
   * too, where the request's {@code Authorization} is not sent; a POST answered 303 becomes a GET.
   */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aRedirectIsFollowedAsAnAttemptOfItsOwn(ExecutionPolicy policy) {
    try (FaultServer other = FaultServer.start()) {
      server.on(
          "/moved",
          (request, wire) ->
              wire.respond(303, "See Other", new byte[0], "Location", other.url("/landed")));
      BatchFetcher fetcher = fetcher(policy, FAST_RETRIES);
      FetchRequest post =
          FetchRequest.of("POST", server.url("/moved"))
              .withHeader("Authorization", "Bearer secret")
              .withBody("{}".getBytes(UTF_8), "application/json");

      List<Result> results = completes(fetcher.fetchAllRequests(List.of(post)));

      Result result = results.get(0);
      assertThat(result.isSuccess()).as("%s", result).isTrue();
      assertThat(result.text()).isEqualTo("/landed");
      assertThat(result.attempts()).isEqualTo(2);
      assertThat(server.requests() + other.requests()).isEqualTo(2);
      FaultServer.Request landed = other.received().get(0);
      assertThat(landed.method()).isEqualTo("GET");
      assertThat(landed.headers()).doesNotContainKey("authorization");
      assertThat(landed.body()).isEmpty();
    }
  }

  /** A client that does not follow redirects keeps them: the redirect is the result. */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aClientThatDoesNotFollowRedirectsGetsTheRedirect(ExecutionPolicy policy) {
    server.on(
        "/moved", (request, wire) -> wire.respond(302, "Found", new byte[0], "Location", "/ok"));
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .client(new okhttp3.OkHttpClient.Builder().followRedirects(false).build())
                .build());

    List<Result> results = fetchAndCheck(fetcher, List.of(server.url("/moved/0")));

    assertThat(results.get(0).status()).isEqualTo(302);
    assertThat(results.get(0).error()).isEqualTo(ErrorKind.HTTP_STATUS);
    assertThat(results.get(0).header("Location")).hasValue("/ok");
  }

  /**
   * OkHttp still answers a 401 with the user's authenticator on its own; the request it sends is
   * counted as an attempt, so that the results count every request the server saw.
   */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void anAuthenticatorsRequestIsCountedAsAnAttempt(ExecutionPolicy policy) {
    server.on(
        "/private",
        (request, wire) ->
            request.headers().containsKey("authorization")
                ? wire.respond(200, "OK", "welcome".getBytes(UTF_8))
                : wire.respond(401, "Unauthorized", new byte[0], "WWW-Authenticate", "Basic"));
    okhttp3.OkHttpClient client =
        new okhttp3.OkHttpClient.Builder()
            .authenticator(
                (route, response) ->
                    response.request().header("Authorization") != null
                        ? null
                        : response
                            .request()
                            .newBuilder()
                            .header("Authorization", okhttp3.Credentials.basic("me", "pw"))
                            .build())
            .build();
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).client(client).build());

    List<Result> results = fetchAndCheck(fetcher, server.urls("/private", 3));

    assertThat(results).allMatch(Result::isSuccess);
    assertThat(results).extracting(Result::attempts).containsOnly(2);
  }

  /**
   * A POST on a kept-alive connection that the server closes after reading it is not sent again
   * when the user asked for no retry: it may have taken effect.
   */
  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aPostTheServerReadThenDroppedIsNotSentAgain(ExecutionPolicy policy) {
    AtomicInteger posts = new AtomicInteger();
    server.on(
        "/orders",
        (request, wire) ->
            posts.incrementAndGet() == 1
                ? wire.hangUp()
                : wire.respond(201, "Created", "again".getBytes(UTF_8)));
    BatchFetcher fetcher = fetcher(policy, RetryPolicy.none());
    completes(fetcher.fetchAll(List.of(server.url("/warm")))); // a connection to keep alive
    FetchRequest post =
        FetchRequest.of("POST", server.url("/orders")).withBody("{}".getBytes(UTF_8), "text/json");

    List<Result> results = completes(fetcher.fetchAllRequests(List.of(post)));

    assertThat(posts).as("POSTs the server read").hasValue(1);
    assertThat(results).hasSize(1);
    assertThat(results.get(0).attempts()).isEqualTo(1);
    assertThat(results.get(0).isSuccess()).as("%s", results.get(0)).isFalse();
    staysUsable(fetcher, server);
  }

  /** Bodies that would fill the heap if read whole. */
  static final class Bodies {
    private static final byte[] MIB = new byte[1024 * 1024];
    private static volatile byte[] bomb;

    private Bodies() {}

    /** 64 MiB of zeros, gzipped: about 64 KiB on the wire. */
    static Next gzipBomb(FaultServer.Request request, FaultServer.Wire wire) throws IOException {
      byte[] body = bomb();
      wire.write(
          "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "
              + body.length
              + "\r\n\r\n");
      wire.write(body);
      return Next.KEEP_ALIVE;
    }

    /** 20 MiB in chunks of 1 MiB. */
    static Next chunked20MiB(FaultServer.Request request, FaultServer.Wire wire)
        throws IOException {
      wire.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 20; i++) {
        wire.write(Integer.toHexString(MIB.length) + "\r\n");
        wire.write(MIB);
        wire.write("\r\n");
      }
      wire.write("0\r\n\r\n");
      return Next.KEEP_ALIVE;
    }

    static byte[] bomb() {
      byte[] made = bomb;
      if (made == null) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
          for (int i = 0; i < 64; i++) {
            gzip.write(MIB);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        made = bytes.toByteArray();
        bomb = made;
      }
      return made;
    }
  }
}
