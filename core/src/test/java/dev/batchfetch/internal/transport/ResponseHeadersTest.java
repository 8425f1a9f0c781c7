package dev.batchfetch.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

/** A response's headers as a result's map, without copies, and as if copied. */
class ResponseHeadersTest {
  private final Headers okhttp =
      Headers.of("Content-Type", "text/plain", "X-B", "2", "x-b", "3", "Retry-After", "1");

  @Test
  void looksUpIgnoringCaseAndIteratesLowerCaseNamesInOrder() {
    ResponseHeaders headers = new ResponseHeaders(okhttp);

    assertThat(headers.get("x-B")).containsExactly("2", "3");
    assertThat(headers.get("missing")).isNull();
    assertThat(headers.containsKey("RETRY-AFTER")).isTrue();
    assertThat(headers.keySet()).containsExactly("content-type", "retry-after", "x-b");
    assertThat(headers).hasSize(3);
  }

  @Test
  void equalsTheMapAResultWouldHaveCopied() {
    Map<String, List<String>> copied = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    copied.putAll(okhttp.toMultimap());

    assertThat(new ResponseHeaders(okhttp)).isEqualTo(copied);
    assertThat(new ResponseHeaders(okhttp).hashCode()).isEqualTo(copied.hashCode());
  }

  @Test
  void aResultKeepsItAsItIs() {
    ResponseHeaders headers = new ResponseHeaders(okhttp);

    Result result =
        new Result(
            0,
            "u",
            500,
            headers,
            new byte[0],
            Duration.ZERO,
            1,
            Duration.ZERO,
            ErrorKind.HTTP_STATUS,
            null);

    assertThat(result.headers()).isSameAs(headers);
    assertThat(result.header("content-TYPE")).hasValue("text/plain");
  }
}
