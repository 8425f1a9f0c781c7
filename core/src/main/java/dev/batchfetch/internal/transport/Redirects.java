package dev.batchfetch.internal.transport;

import dev.batchfetch.internal.batch.RequestTag;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The redirects a fetcher follows, and the request each one asks for: what OkHttp's own follow-up
 * logic would send, which the fetcher's client has turned off so that every request of a redirect
 * chain is an attempt of its own, under the fetcher's limits. It follows the settings of the user's
 * client ({@code followRedirects}, {@code followSslRedirects}) and OkHttp's rules: 300, 301, 302,
 * 303, 307 and 308 with a {@code Location} of http or https; a POST (or any method but PROPFIND
 * with a body) becomes a GET without its body except on 307 and 308; {@code Authorization} is not
 * sent to another host. Immutable and thread-safe.
 *
 * @param follow whether redirects are followed at all
 * @param acrossSchemes whether a redirect from https to http, or back, is followed
 */
public record Redirects(boolean follow, boolean acrossSchemes) {
  /** Redirects as OkHttp's defaults follow them. */
  static final Redirects DEFAULT = new Redirects(true, true);

  /**
   * The request {@code response} redirects to, or null if it is not a redirect the fetcher follows.
   * The request keeps {@code tag}, whose owner sends it.
   */
  @Nullable Request followUp(Response response, @Nullable RequestTag tag) {
    if (!follow || !isRedirect(response.code())) {
      return null;
    }
    String location = response.header("Location");
    if (location == null) {
      return null;
    }
    Request request = response.request();
    HttpUrl url = request.url().resolve(location);
    if (url == null || (!acrossSchemes && !url.scheme().equals(request.url().scheme()))) {
      return null;
    }
    Request.Builder next = request.newBuilder(); // a 307 or 308 keeps the method and the body
    String method = request.method();
    int code = response.code();
    boolean mayHaveBody = !method.equals("GET") && !method.equals("HEAD");
    if (mayHaveBody && !method.equals("PROPFIND") && code != 307 && code != 308) {
      next.method("GET", null);
      next.removeHeader("Transfer-Encoding");
      next.removeHeader("Content-Length");
      next.removeHeader("Content-Type");
    }
    if (!sameOrigin(request.url(), url)) {
      next.removeHeader("Authorization");
    }
    if (tag != null) {
      next.tag(RequestTag.class, tag);
    }
    return next.url(url).build();
  }

  static boolean isRedirect(int code) {
    return code == 300 || code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
  }

  private static boolean sameOrigin(HttpUrl a, HttpUrl b) {
    return a.host().equals(b.host()) && a.port() == b.port() && a.scheme().equals(b.scheme());
  }
}
