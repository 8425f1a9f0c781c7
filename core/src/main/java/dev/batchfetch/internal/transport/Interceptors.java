package dev.batchfetch.internal.transport;

import dev.batchfetch.internal.admission.Exchange;
import dev.batchfetch.internal.batch.RequestTag;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.List;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The two interceptors a fetcher's client carries: one outermost, around everything a call runs,
 * and one innermost, next to the wire, where every request and response of a call passes.
 */
final class Interceptors {
  private Interceptors() {}

  /** The outermost application interceptor: see {@link ThrownInCall}. */
  static final Interceptor GUARD =
      chain -> {
        try {
          return chain.proceed(chain.request());
        } catch (IOException e) {
          throw e;
        } catch (Throwable t) { // an Error too: nothing may escape on OkHttp's threads
          throw new ThrownInCall(t);
        }
      };

  /**
   * The innermost network interceptor: it sees each request leave and each response arrive, before
   * OkHttp's own follow-up logic does, and treats what the server sent as untrusted.
   *
   * <ul>
   *   <li>Tells the exchange its request is leaving (its permits learn how late it left), and holds
   *       it while its limiters' departure gates say it would leave in a bunch.
   *   <li>A status line OkHttp cannot make a response of ({@code -12}), or a status outside
   *       100..999 ({@code 000}, {@code 012}), is a broken exchange: an {@link IOException}.
   *   <li>The {@code Retry-After} of a 503 is taken out of OkHttp's sight, which would follow up a
   *       {@code 0} on its own and fail on a number too large for an {@code int}; the transport
   *       puts it back for the fetcher, which reads it without ever failing.
   *   <li>After a response that has no body by its status (204, 205, 304) on HTTP/1, the connection
   *       is not used again: bytes a server sends after one would be read as the next response.
   * </ul>
   */
  static final Interceptor NETWORK =
      chain -> {
        Request request = chain.request();
        RequestTag tag = request.tag(RequestTag.class);
        if (tag != null && tag.owner() instanceof Exchange exchange) {
          long wait = exchange.leaving();
          if (wait > 0) {
            // It would reach the server in a bunch with others: it waits here, on its own thread,
            // until the departure gates of its limiters let it go.
            exchange.awaitDeparture(wait);
          }
        }
        Response response;
        try {
          response = chain.proceed(request);
        } catch (RuntimeException e) { // OkHttp's own, on a status line it could not parse
          noMoreExchanges(chain.connection());
          throw brokenExchange("a malformed response: " + e.getMessage(), e);
        }
        int code = response.code();
        if (code < 100) {
          noMoreExchanges(chain.connection()); // a server that sends this is not to be trusted
          response.close();
          throw brokenExchange("a status outside 100..999: " + code, null);
        }
        if (code == 503 && tag != null) {
          List<String> retryAfter = response.headers("Retry-After");
          if (!retryAfter.isEmpty()) {
            tag.hideRetryAfter(retryAfter);
            return response.newBuilder().removeHeader("Retry-After").build();
          }
        }
        if (code == 204 || code == 205 || code == 304) {
          noMoreExchanges(chain.connection());
        }
        return response;
      };

  private static ProtocolException brokenExchange(String message, @Nullable Throwable cause) {
    ProtocolException e = new ProtocolException(message);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  /**
   * Keeps an HTTP/1 connection from being used again. OkHttp has no public way to say so; a closed
   * socket is one its pool never hands out again.
   */
  private static void noMoreExchanges(@Nullable Connection connection) {
    if (connection == null
        || connection.protocol() == Protocol.HTTP_2
        || connection.protocol() == Protocol.H2_PRIOR_KNOWLEDGE) {
      return;
    }
    try {
      connection.socket().close();
    } catch (IOException e) {
      // closed anyway
    }
  }
}
