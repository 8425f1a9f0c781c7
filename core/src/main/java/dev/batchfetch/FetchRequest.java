package dev.batchfetch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One request of a batch: a URL, a method, headers and an optional body. For plain GETs pass the
 * URLs to {@link BatchFetcher#fetchAll(List)} instead.
 *
 * <pre>{@code
 * FetchRequest get = FetchRequest.get("https://api.example.com/items/1")
 *     .withHeader("Accept", "application/json");
 * FetchRequest post = FetchRequest.of("POST", "https://api.example.com/items")
 *     .withBody("{\"name\":\"x\"}".getBytes(UTF_8), "application/json");
 * }</pre>
 *
 * <p>The URL is not checked here: a malformed one becomes a failed {@link Result} with {@link
 * ErrorKind#INVALID_URL} when the batch runs, so one bad line never loses the rest of a batch.
 *
 * <p>Instances are immutable and thread-safe; the {@code with*} methods return new instances.
 *
 * @param method the HTTP method, an upper-case token such as {@code GET} or {@code POST}
 * @param url the URL, checked when the batch runs
 * @param headers header names to values, in the order given, sent in addition to the fetcher's
 *     default headers (a name given here replaces the fetcher's default of that name)
 * @param body the request body, or null for none
 * @param contentType the body's media type, or null for none
 * @param tag an object of the caller's that comes back on this request's {@link Result#tag()}, or
 *     null for none; never sent
 */
@SuppressWarnings("ArrayRecordComponent") // copied in and out; equals and hashCode compare contents
public record FetchRequest(
    String method,
    String url,
    Map<String, List<String>> headers,
    byte @Nullable [] body,
    @Nullable String contentType,
    @Nullable Object tag) {

  /**
   * Checks and copies the arguments.
   *
   * @throws NullPointerException if {@code method}, {@code url} or {@code headers} is null
   * @throws IllegalArgumentException if {@code method} is not an HTTP token, or a header name or
   *     value is not valid in HTTP
   */
  public FetchRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(headers, "headers");
    if (method.isEmpty() || !method.chars().allMatch(FetchRequest::isTokenChar)) {
      throw new IllegalArgumentException("method must be an HTTP token, was \"" + method + "\"");
    }
    LinkedHashMap<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach(
        (name, values) -> {
          checkHeader(name, values);
          copy.put(name, List.copyOf(values));
        });
    headers = java.util.Collections.unmodifiableMap(copy);
    body = body == null ? null : body.clone();
  }

  /**
   * A request without a tag.
   *
   * @throws NullPointerException if {@code method}, {@code url} or {@code headers} is null
   * @throws IllegalArgumentException if {@code method} is not an HTTP token, or a header name or
   *     value is not valid in HTTP
   */
  public FetchRequest(
      String method,
      String url,
      Map<String, List<String>> headers,
      byte @Nullable [] body,
      @Nullable String contentType) {
    this(method, url, headers, body, contentType, null);
  }

  /** A GET of {@code url}. */
  public static FetchRequest get(String url) {
    return new FetchRequest("GET", url, Map.of(), null, null);
  }

  /**
   * A request with the given method and no body.
   *
   * @throws IllegalArgumentException if {@code method} is not an HTTP token
   */
  public static FetchRequest of(String method, String url) {
    return new FetchRequest(method.toUpperCase(Locale.ROOT), url, Map.of(), null, null);
  }

  /**
   * This request with one more value for the header {@code name}.
   *
   * @throws IllegalArgumentException if the name or value is not valid in HTTP
   */
  public FetchRequest withHeader(String name, String value) {
    LinkedHashMap<String, List<String>> copy = new LinkedHashMap<>(headers);
    List<String> values = new ArrayList<>(copy.getOrDefault(name, List.of()));
    values.add(Objects.requireNonNull(value, "value"));
    copy.put(Objects.requireNonNull(name, "name"), values);
    return new FetchRequest(method, url, copy, body, contentType, tag);
  }

  /** This request with {@code body}, sent as {@code contentType}. */
  public FetchRequest withBody(byte[] body, String contentType) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(contentType, "contentType");
    return new FetchRequest(method, url, headers, body, contentType, tag);
  }

  /**
   * This request carrying {@code tag}, an object of the caller's (an id, a database key, a
   * callback's context) that comes back, the same object, on its {@link Result#tag()}: results map
   * back to what they were for without going by index. It is never sent, and the fetcher never
   * looks into it.
   *
   * <pre>{@code
   * fetcher.fetchEachRequest(
   *     rows.stream().map(row -> FetchRequest.get(row.url()).withTag(row.id())),
   *     result -> store((Long) result.tag(), result));
   * }</pre>
   *
   * @param tag the caller's object, or null for none
   */
  public FetchRequest withTag(@Nullable Object tag) {
    return new FetchRequest(method, url, headers, body, contentType, tag);
  }

  /** The request body, a copy, or null for none. */
  @Override
  public byte @Nullable [] body() {
    return body == null ? null : body.clone();
  }

  private static void checkHeader(String name, List<String> values) {
    Objects.requireNonNull(name, "header name");
    Objects.requireNonNull(values, "header values");
    if (name.isEmpty() || !name.chars().allMatch(FetchRequest::isTokenChar)) {
      throw new IllegalArgumentException("header name must be an HTTP token, was \"" + name + "\"");
    }
    for (String value : values) {
      Objects.requireNonNull(value, "header value");
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if ((c < 0x20 && c != '\t') || c >= 0x7f) {
          throw new IllegalArgumentException(
              "header " + name + " has an invalid character at " + i + " of its value");
        }
      }
    }
  }

  private static boolean isTokenChar(int c) {
    return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof FetchRequest r
        && method.equals(r.method)
        && url.equals(r.url)
        && headers.equals(r.headers)
        && Arrays.equals(body, r.body)
        && Objects.equals(contentType, r.contentType)
        && Objects.equals(tag, r.tag);
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, url, headers, Arrays.hashCode(body), contentType, tag);
  }

  @Override
  public String toString() {
    return method
        + " "
        + url
        + (body == null ? "" : " (" + body.length + " bytes)")
        + (tag == null ? "" : " tag " + tag);
  }
}
