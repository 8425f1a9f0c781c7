package dev.batchfetch;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The public value types: their checks, their defaults, their copies. */
@Timeout(10)
class ValuesTest {

  @Test
  void rateLimitSpreadsPermitsOverThePeriodRoundingTheIntervalUp() {
    assertThat(RateLimit.perMinute(300).interval()).isEqualTo(Duration.ofMillis(200));
    assertThat(RateLimit.perSecond(3).interval()).isEqualTo(Duration.ofNanos(333_333_334));
    assertThat(RateLimit.perHour(3_600).interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(RateLimit.of(5, Duration.ofSeconds(10)).interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(RateLimit.unlimited().isUnlimited()).isTrue();
    assertThat(RateLimit.unlimited().interval()).isEqualTo(Duration.ZERO);
    assertThat(RateLimit.perMinute(300)).hasToString("300 per PT1M");
    // A bucket bigger than one period's permits, as Go's rate.NewLimiter(5, 20) is.
    assertThat(RateLimit.perSecond(5).withBurst(19).burst()).isEqualTo(19);
  }

  @Test
  void rateLimitRejectsWhatCannotBeAQuota() {
    assertThatThrownBy(() -> RateLimit.perSecond(0)).hasMessageContaining("permits");
    assertThatThrownBy(() -> RateLimit.of(1, Duration.ZERO)).hasMessageContaining("period");
    assertThatThrownBy(() -> RateLimit.of(1, Duration.ofSeconds(-1)))
        .hasMessageContaining("period");
    assertThatThrownBy(() -> RateLimit.of(1, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("period");
    assertThatThrownBy(() -> RateLimit.of(2, Duration.ofNanos(1))).hasMessageContaining("1 ns");
    assertThatThrownBy(() -> RateLimit.of(1, Duration.ofDays(365L * 1000)))
        .hasMessageContaining("at most");
  }

  @Test
  void policiesCheckTheirWidthNamingTheParameter() {
    assertThat(ExecutionPolicy.sequential().width()).isEqualTo(1);
    assertThat(ExecutionPolicy.pool(8).width()).isEqualTo(8);
    assertThat(ExecutionPolicy.async(64))
        .isEqualTo(ExecutionPolicy.async(64))
        .hasToString("async(64)");
    assertThatThrownBy(() -> ExecutionPolicy.pool(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("threads");
    assertThatThrownBy(() -> ExecutionPolicy.async(-1)).hasMessageContaining("maxInFlight");
  }

  @Test
  void builderRejectsBadArgumentsByName() {
    BatchFetcher.Builder builder = BatchFetcher.builder();
    assertThatThrownBy(() -> builder.policy(null)).hasMessage("policy");
    assertThatThrownBy(() -> builder.rateLimit(null)).hasMessage("rateLimit");
    assertThatThrownBy(() -> builder.client(null)).hasMessage("client");
    assertThatThrownBy(() -> builder.maxConcurrent(0)).hasMessageContaining("maxConcurrent");
    assertThatThrownBy(() -> builder.readTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("readTimeout");
    assertThatThrownBy(() -> builder.connectTimeout(null)).hasMessage("connectTimeout");
    assertThatThrownBy(() -> builder.defaultHeader("Bad Name", "x"))
        .hasMessageContaining("header name");
    assertThatThrownBy(() -> builder.userAgent("line\nbreak")).hasMessageContaining("invalid");
  }

  @Test
  void builderCapsMaxConcurrentAtThePolicysWidthAndBuildsIndependentFetchers() {
    BatchFetcher.Builder builder =
        BatchFetcher.builder().policy(ExecutionPolicy.pool(8)).maxConcurrent(16);
    try (BatchFetcher first = builder.build()) {
      builder.policy(ExecutionPolicy.async(64)).rateLimit(RateLimit.perSecond(5));
      try (BatchFetcher second = builder.build()) {
        assertThat(first.maxConcurrent()).isEqualTo(8);
        assertThat(first.policy()).isEqualTo(ExecutionPolicy.pool(8));
        assertThat(first.rateLimit()).isEqualTo(RateLimit.unlimited());
        assertThat(second.maxConcurrent()).isEqualTo(16);
        assertThat(second.rateLimit()).isEqualTo(RateLimit.perSecond(5));
        assertThat(second.name()).isNotEqualTo(first.name());
      }
    }
  }

  @Test
  void resultDecodesTextWithTheCharsetOfItsContentType() {
    byte[] latin = "café".getBytes(ISO_8859_1);
    Result declared = ok(Map.of("Content-Type", List.of("text/plain; charset=ISO-8859-1")), latin);
    Result undeclared = ok(Map.of(), "café".getBytes(UTF_8));
    Result unknown = ok(Map.of("content-type", List.of("text/plain;charset=\"x-nope\"")), latin);

    assertThat(declared.text()).isEqualTo("café");
    assertThat(undeclared.text()).isEqualTo("café");
    assertThat(unknown.text()).isEqualTo(new String(latin, UTF_8));
    assertThat(declared.header("CONTENT-TYPE")).hasValue("text/plain; charset=ISO-8859-1");
    assertThat(declared.headers()).containsKey("content-type");
  }

  @Test
  void resultIsImmutable() {
    byte[] body = {1, 2, 3};
    Result result = ok(Map.of(), body);
    body[0] = 9;
    result.body()[1] = 9;

    assertThat(result.body()).containsExactly(1, 2, 3);
    assertThat(result.bodyLength()).isEqualTo(3);
    assertThatThrownBy(() -> result.headers().put("x", List.of()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(result).isEqualTo(ok(Map.of(), new byte[] {1, 2, 3}));
    assertThat(result.toString()).contains("status=200").doesNotContain("[B@");
  }

  @Test
  void resultRefusesContradictions() {
    assertThatThrownBy(
            () ->
                new Result(
                    0,
                    "u",
                    500,
                    Map.of(),
                    new byte[0],
                    Duration.ZERO,
                    1,
                    Duration.ZERO,
                    null,
                    null))
        .hasMessageContaining("needs an error");
    assertThatThrownBy(
            () ->
                new Result(
                    -1,
                    "u",
                    200,
                    Map.of(),
                    new byte[0],
                    Duration.ZERO,
                    1,
                    Duration.ZERO,
                    null,
                    null))
        .hasMessageContaining("index");
    assertThatThrownBy(
            () ->
                new Result(
                    0, "u", 42, Map.of(), new byte[0], Duration.ZERO, 1, Duration.ZERO, null, null))
        .hasMessageContaining("status");
  }

  @Test
  void fetchRequestChecksItsMethodAndHeadersAndCopiesItsBody() {
    byte[] body = "x".getBytes(UTF_8);
    FetchRequest request = FetchRequest.of("put", "http://h/").withBody(body, "text/plain");
    body[0] = 'y';

    assertThat(request.method()).isEqualTo("PUT");
    assertThat(request.body()).containsExactly('x');
    assertThat(request.withHeader("A", "1").withHeader("A", "2").headers())
        .containsEntry("A", List.of("1", "2"));
    assertThat(request.headers()).isEmpty();
    assertThat(FetchRequest.get("http://h/")).isEqualTo(FetchRequest.get("http://h/"));
    assertThatThrownBy(() -> FetchRequest.of("GE T", "http://h/")).hasMessageContaining("method");
    assertThatThrownBy(() -> FetchRequest.get(null)).hasMessage("url");
    assertThatThrownBy(() -> FetchRequest.get("http://h/").withHeader("X", "caf\u00e9"))
        .hasMessageContaining("invalid character");
  }

  private static Result ok(Map<String, List<String>> headers, byte[] body) {
    return new Result(
        0, "http://h/", 200, headers, body, Duration.ofMillis(1), 1, Duration.ZERO, null, null);
  }
}
