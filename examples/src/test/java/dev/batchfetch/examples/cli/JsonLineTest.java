package dev.batchfetch.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class JsonLineTest {

  @Test
  void writesASuccessWithNullErrorAndMessage() {
    Result ok =
        new Result(
            0,
            "http://127.0.0.1/a",
            200,
            Map.of("content-type", List.of("text/plain")),
            "hello".getBytes(StandardCharsets.UTF_8),
            Duration.ofMillis(41),
            1,
            Duration.ZERO,
            null,
            null);

    assertThat(JsonLine.of(7, ok))
        .isEqualTo(
            "{\"line\":7,\"url\":\"http://127.0.0.1/a\",\"status\":200,\"elapsed_ms\":41,"
                + "\"attempts\":1,\"bytes\":5,\"error\":null,\"message\":null}");
  }

  @Test
  void writesAFailureWithItsKindAndTheExceptionsMessage() {
    Result refused = failed("http://127.0.0.1:1/", ErrorKind.CONNECT, new ConnectException("no"));

    assertThat(JsonLine.of(2, refused))
        .isEqualTo(
            "{\"line\":2,\"url\":\"http://127.0.0.1:1/\",\"status\":0,\"elapsed_ms\":3,"
                + "\"attempts\":3,\"bytes\":0,\"error\":\"CONNECT\",\"message\":\"no\"}");
  }

  @Test
  void namesTheExceptionWhenItHasNoMessage() {
    Result timeout = failed("http://x/", ErrorKind.TIMEOUT, new SocketTimeoutException());

    assertThat(JsonLine.message(timeout)).isEqualTo("java.net.SocketTimeoutException");
  }

  @Test
  void escapesWhatJsonRequires() {
    String nasty = "a\"b\\c\nd\re\tf\bg\fh\u0000i\u001fj\u2028k\u2029l/é€😀";
    Result invalid = failed(nasty, ErrorKind.INVALID_URL, new IllegalArgumentException(nasty));

    String escaped = "a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0000i\\u001fj\\u2028k\\u2029l/é€😀";
    assertThat(JsonLine.of(1, invalid))
        .contains("\"url\":\"" + escaped + "\"")
        .contains("\"message\":\"" + escaped + "\"")
        .doesNotContain("\n", "\r");
  }

  private static Result failed(String url, ErrorKind kind, Exception e) {
    return new Result(
        0, url, 0, Map.of(), new byte[0], Duration.ofMillis(3), 3, Duration.ZERO, kind, e);
  }
}
