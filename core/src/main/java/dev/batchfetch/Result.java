package dev.batchfetch;

import dev.batchfetch.internal.transport.ResponseHeaders;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What happened to one input of a batch: a response (any HTTP status) or the reason there is none.
 *
 * <pre>{@code
 * for (Result r : results) {
 *   if (r.isSuccess()) {
 *     store(r.url(), r.text());
 *   } else if (r.error() == ErrorKind.HTTP_STATUS) {
 *     log.warn("{} answered {}", r.url(), r.status());
 *   } else {
 *     log.warn("{} failed: {}", r.url(), r.error(), r.exception());
 *   }
 * }
 * }</pre>
 *
 * <p>Any HTTP status is a response, not an exception: a 404 or a 500 has its status, headers and
 * body, {@link #error()} {@link ErrorKind#HTTP_STATUS} and no exception. A result without a
 * response has status 0, no headers, an empty body and an error kind with the exception that caused
 * it.
 *
 * <p>Results are immutable and thread-safe: {@link #body()} returns a copy, and the header map is
 * unmodifiable.
 *
 * @param index the position of the input in the batch, from 0
 * @param url the input URL as given; null only when the input element itself was null
 * @param status the HTTP status code, or 0 when no response was received
 * @param headers the response headers, keys in lower case, looked up case-insensitively; empty when
 *     no response was received
 * @param body the response body; empty when there was none
 * @param elapsed the time from the start of the first attempt (after its admission) to the end of
 *     the last, backoffs between attempts included; zero when no attempt started
 * @param attempts how many requests were sent for this input: retries included, and each hop of a
 *     redirect it followed (and a request OkHttp's {@code Authenticator} answered a 401 with); 0
 *     when none was
 * @param admissionWait how long this input waited to be admitted, over all its attempts: for
 *     rate-limit permits, bulkhead slots and the pauses its server asked for ({@code Retry-After}),
 *     but not the backoff between attempts
 * @param error why this is not a success, or null when it is one
 * @param exception the exception behind {@code error}, or null for a success or an HTTP status (but
 *     a redirect not followed because the input followed 20 already has a {@code
 *     ProtocolException})
 * @param tag the {@link FetchRequest#withTag tag} of the request this is the result of, the same
 *     object; null for a URL, or a request without one
 */
@SuppressWarnings("ArrayRecordComponent") // copied in and out; equals and hashCode compare contents
public record Result(
    int index,
    @Nullable String url,
    int status,
    Map<String, List<String>> headers,
    byte[] body,
    Duration elapsed,
    int attempts,
    Duration admissionWait,
    @Nullable ErrorKind error,
    @Nullable Throwable exception,
    @Nullable Object tag) {

  private static final byte[] EMPTY = new byte[0];

  /**
   * Checks and copies the arguments.
   *
   * @throws NullPointerException if {@code headers}, {@code body}, {@code elapsed} or {@code
   *     admissionWait} is null
   * @throws IllegalArgumentException if {@code index} or {@code attempts} is negative, {@code
   *     status} is not 0 or in 100..999, or a non-2xx status comes without an error
   */
  public Result {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(elapsed, "elapsed");
    Objects.requireNonNull(admissionWait, "admissionWait");
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must not be negative, was " + attempts);
    }
    if (index < 0) {
      throw new IllegalArgumentException("index must not be negative, was " + index);
    }
    if (status != 0 && (status < 100 || status > 999)) {
      throw new IllegalArgumentException("status must be 0 or in 100..999, was " + status);
    }
    if ((status == 0 || !is2xx(status)) && error == null) {
      throw new IllegalArgumentException("a result with status " + status + " needs an error");
    }
    headers = copyOf(headers);
    body = body.length == 0 ? EMPTY : body.clone();
  }

  /**
   * A result without a tag.
   *
   * @throws NullPointerException if {@code headers}, {@code body}, {@code elapsed} or {@code
   *     admissionWait} is null
   * @throws IllegalArgumentException if {@code index} or {@code attempts} is negative, {@code
   *     status} is not 0 or in 100..999, or a non-2xx status comes without an error
   */
  public Result(
      int index,
      @Nullable String url,
      int status,
      Map<String, List<String>> headers,
      byte[] body,
      Duration elapsed,
      int attempts,
      Duration admissionWait,
      @Nullable ErrorKind error,
      @Nullable Throwable exception) {
    this(
        index,
        url,
        status,
        headers,
        body,
        elapsed,
        attempts,
        admissionWait,
        error,
        exception,
        null);
  }

  /** True when the server answered with a 2xx status and the body was read completely. */
  public boolean isSuccess() {
    return error == null;
  }

  /** The response body, a copy. */
  @Override
  public byte[] body() {
    return body.length == 0 ? EMPTY : body.clone();
  }

  /** The length of the body in bytes, without copying it. */
  public int bodyLength() {
    return body.length;
  }

  /**
   * The body decoded with the charset of its {@code Content-Type} header, UTF-8 when the header
   * names none or one this JVM does not know.
   */
  public String text() {
    return new String(body, charset());
  }

  /** The first value of the named response header, looked up case-insensitively. */
  public Optional<String> header(String name) {
    Objects.requireNonNull(name, "name");
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  private Charset charset() {
    String contentType = header("Content-Type").orElse("");
    for (String parameter : contentType.split(";", -1)) {
      String[] pair = parameter.trim().split("=", 2);
      if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("charset")) {
        String name = pair[1].trim().replace("\"", "");
        try {
          return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
          return StandardCharsets.UTF_8;
        }
      }
    }
    return StandardCharsets.UTF_8;
  }

  static boolean is2xx(int status) {
    return status >= 200 && status < 300;
  }

  private static Map<String, List<String>> copyOf(Map<String, List<String>> headers) {
    if (headers instanceof ResponseHeaders) {
      return headers; // immutable already, made by the fetcher from OkHttp's immutable headers
    }
    if (headers.isEmpty()) {
      return Map.of();
    }
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> copy.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
    return java.util.Collections.unmodifiableMap(copy);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Result r
        && index == r.index
        && status == r.status
        && Objects.equals(url, r.url)
        && headers.equals(r.headers)
        && Arrays.equals(body, r.body)
        && elapsed.equals(r.elapsed)
        && attempts == r.attempts
        && admissionWait.equals(r.admissionWait)
        && error == r.error
        && Objects.equals(exception, r.exception)
        && Objects.equals(tag, r.tag);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        index, url, status, headers, Arrays.hashCode(body), elapsed, error, exception, tag);
  }

  @Override
  public String toString() {
    return "Result[index="
        + index
        + ", url="
        + url
        + ", status="
        + status
        + ", bodyLength="
        + body.length
        + ", elapsed="
        + elapsed.toMillis()
        + "ms"
        + (attempts > 1 ? ", attempts=" + attempts : "")
        + (error == null ? "" : ", error=" + error + (exception == null ? "" : ": " + exception))
        + (tag == null ? "" : ", tag=" + tag)
        + "]";
  }
}
