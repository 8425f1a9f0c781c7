package dev.batchfetch.internal.admission;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.internal.quota.QuotaSignal;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import org.jspecify.annotations.Nullable;

/**
 * What one attempt got from its {@link Transport}: a response (any status) or the failure that kept
 * it from one. The {@link Exchange} makes the input's result from it.
 *
 * @param status the HTTP status, or 0 when no response came
 * @param headers the response headers, immutable; empty when none came
 * @param body what was kept of the body
 * @param error why the attempt is not a success, or null
 * @param exception the exception behind {@code error}, or null
 * @param signal what the response said of the server's quota
 * @param followUp the request a redirect asks for, to be sent as an attempt of its own; null when
 *     the response is not one the fetcher follows
 */
@SuppressWarnings("ArrayRecordComponent") // handed on to the result, which copies it
public record Answer(
    int status,
    Map<String, List<String>> headers,
    byte[] body,
    @Nullable ErrorKind error,
    @Nullable Throwable exception,
    QuotaSignal signal,
    @Nullable Request followUp) {

  private static final byte[] NO_BODY = new byte[0];

  /** An attempt that got no response, of {@code kind} because of {@code exception}. */
  public static Answer failed(ErrorKind kind, @Nullable Throwable exception) {
    return new Answer(0, Map.of(), NO_BODY, kind, exception, QuotaSignal.NONE, null);
  }

  /**
   * A response with its status, headers, kept body and quota signal: a success if its status is
   * 2xx, else {@link ErrorKind#HTTP_STATUS}.
   */
  public static Answer response(
      int status, Map<String, List<String>> headers, byte[] body, QuotaSignal signal) {
    return new Answer(
        status,
        headers,
        body,
        isSuccess(status) ? null : ErrorKind.HTTP_STATUS,
        null,
        signal,
        null);
  }

  /**
   * A redirect of {@code status} whose {@code followUp} the fetcher sends next, as an attempt of
   * its own; its body was not read.
   */
  public static Answer redirect(
      int status, Map<String, List<String>> headers, QuotaSignal signal, Request followUp) {
    return new Answer(status, headers, NO_BODY, ErrorKind.HTTP_STATUS, null, signal, followUp);
  }

  /** This response, whose body could not be read: {@code kind} because of {@code exception}. */
  public Answer bodyFailed(ErrorKind kind, Throwable exception) {
    return new Answer(status, headers, NO_BODY, kind, exception, signal, null);
  }

  /** Whether a response of {@code status} is a success: the one place that says 2xx. */
  public static boolean isSuccess(int status) {
    return status >= 200 && status < 300;
  }
}
