package dev.batchfetch.internal;

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
 * Turns the inputs of a batch (URL strings or {@link FetchRequest}s) into OkHttp requests carrying
 * the fetcher's default headers. Invalid input becomes {@link Prepared.Invalid}, never an
 * exception. Thread-safe: it holds only immutable state.
 */
final class RequestFactory {
  private final Headers defaultHeaders;

  RequestFactory(Map<String, String> defaultHeaders) {
    Headers.Builder builder = new Headers.Builder();
    defaultHeaders.forEach(builder::set);
    this.defaultHeaders = builder.build();
  }

  Prepared prepare(int index, @Nullable Object input) {
    if (input == null) {
      return new Prepared.Invalid(
          null, ErrorKind.INVALID_URL, new IllegalArgumentException("input " + index + " is null"));
    }
    if (input instanceof FetchRequest request) {
      return prepare(request);
    }
    String url = (String) input;
    HttpUrl httpUrl;
    try {
      httpUrl = HttpUrl.get(url);
    } catch (IllegalArgumentException e) {
      return new Prepared.Invalid(url, ErrorKind.INVALID_URL, e);
    }
    return new Prepared.Ready(
        url, new Request.Builder().url(httpUrl).headers(defaultHeaders).build());
  }

  private Prepared prepare(FetchRequest fetchRequest) {
    String url = fetchRequest.url();
    HttpUrl httpUrl;
    try {
      httpUrl = HttpUrl.get(url);
    } catch (IllegalArgumentException e) {
      return new Prepared.Invalid(url, ErrorKind.INVALID_URL, e);
    }
    try {
      Request.Builder builder = new Request.Builder().url(httpUrl).headers(defaultHeaders);
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
}
