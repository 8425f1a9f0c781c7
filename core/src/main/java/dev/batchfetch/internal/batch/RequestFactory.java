package dev.batchfetch.internal.batch;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.FetchRequest;
import java.util.List;
import java.util.Map;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.jspecify.annotations.Nullable;

/**
 * Turns the inputs of a batch into OkHttp requests carrying the fetcher's default headers. A batch
 * is given one {@link Kind} at the API boundary, by the type of its inputs: {@link #urls()} or
 * {@link #requests()}. Invalid input becomes {@link Prepared.Invalid}, never an exception, and so
 * does an element of another type than the API's (a raw {@code List} holding an {@code Integer}
 * passed as a {@code List<String>}). Thread-safe: it holds only immutable state.
 */
public final class RequestFactory {
  /** How the inputs of one batch become requests. */
  public interface Kind {
    /** The request for input {@code index}, or why there is none. */
    Prepared prepare(int index, @Nullable Object input);

    /** The URL of {@code input} for a result that ends it unsent, or null if it has none. */
    @Nullable String urlOf(@Nullable Object input);
  }

  private final Headers defaultHeaders;
  private final Kind urls =
      new Kind() {
        @Override
        public Prepared prepare(int index, @Nullable Object input) {
          return input instanceof String url ? url(url) : notA("a URL String", index, input);
        }

        @Override
        public @Nullable String urlOf(@Nullable Object input) {
          return input instanceof String url ? url : null;
        }
      };
  private final Kind requests =
      new Kind() {
        @Override
        public Prepared prepare(int index, @Nullable Object input) {
          return input instanceof FetchRequest request
              ? request(request)
              : notA("a FetchRequest", index, input);
        }

        @Override
        public @Nullable String urlOf(@Nullable Object input) {
          return input instanceof FetchRequest request ? request.url() : null;
        }
      };

  public RequestFactory(Map<String, String> defaultHeaders) {
    Headers.Builder builder = new Headers.Builder();
    defaultHeaders.forEach(builder::set);
    this.defaultHeaders = builder.build();
  }

  /** For {@code fetchAll(List<String>)} and the like: each input a URL to GET. */
  public Kind urls() {
    return urls;
  }

  /** For {@code fetchAllRequests(List<FetchRequest>)} and the like: each input a request. */
  public Kind requests() {
    return requests;
  }

  private Prepared url(String url) {
    HttpUrl httpUrl;
    try {
      httpUrl = HttpUrl.get(url);
    } catch (IllegalArgumentException e) {
      return new Prepared.Invalid(url, ErrorKind.INVALID_URL, e);
    }
    return new Prepared.Ready(url, builder(httpUrl).build());
  }

  private Prepared request(FetchRequest fetchRequest) {
    String url = fetchRequest.url();
    HttpUrl httpUrl;
    try {
      httpUrl = HttpUrl.get(url);
    } catch (IllegalArgumentException e) {
      return new Prepared.Invalid(url, ErrorKind.INVALID_URL, e);
    }
    try {
      Request.Builder builder = builder(httpUrl);
      for (Map.Entry<String, List<String>> header : fetchRequest.headers().entrySet()) {
        builder.removeHeader(header.getKey());
        for (String value : header.getValue()) {
          builder.addHeader(header.getKey(), value);
        }
      }
      byte[] body = fetchRequest.body();
      String contentType = fetchRequest.contentType();
      RequestBody requestBody =
          body == null
              ? null
              : RequestBody.create(body, contentType == null ? null : MediaType.parse(contentType));
      builder.method(fetchRequest.method(), requestBody);
      return new Prepared.Ready(url, builder.build());
    } catch (IllegalArgumentException e) {
      return new Prepared.Invalid(url, ErrorKind.INVALID_REQUEST, e);
    }
  }

  private Request.Builder builder(HttpUrl url) {
    return new Request.Builder()
        .url(url)
        .headers(defaultHeaders)
        .tag(RequestTag.class, new RequestTag());
  }

  private static Prepared notA(String expected, int index, @Nullable Object input) {
    String what = input == null ? "null" : "a " + input.getClass().getName();
    return new Prepared.Invalid(
        null,
        ErrorKind.INVALID_URL,
        new IllegalArgumentException("input " + index + " is " + what + ", not " + expected));
  }
}
