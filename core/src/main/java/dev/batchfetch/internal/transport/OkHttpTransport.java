package dev.batchfetch.internal.transport;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.internal.admission.Answer;
import dev.batchfetch.internal.admission.Exchange;
import dev.batchfetch.internal.admission.Transport;
import dev.batchfetch.internal.batch.Batch;
import dev.batchfetch.internal.batch.RequestTag;
import dev.batchfetch.internal.quota.QuotaHeaders;
import dev.batchfetch.internal.quota.QuotaSignal;
import dev.batchfetch.internal.time.Ticker;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Headers;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Sends attempts with OkHttp: asynchronously with {@code enqueue} (the async policy), or with a
 * blocking {@code execute} on a thread of the policy's pool (sequential and pool). Either way the
 * response is read on the thread that got it, the exchange hears exactly once, whatever was thrown
 * (an {@link Error} of a body handler included), and then the response is closed.
 *
 * <p>OkHttp's own retries and follow-ups are off in the client ({@link Clients}): a redirect is
 * reported as an {@link Answer#redirect}, and its request goes back to admission, to be sent as an
 * attempt of its own on a client without the user's application interceptors, as OkHttp sends its
 * follow-ups. Thread-safe.
 */
public final class OkHttpTransport implements Transport {
  private static final byte[] NO_BODY = new byte[0];

  private final Call.Factory calls;
  private final Call.Factory followUps;
  private final Redirects redirects;
  private final BodyReader bodies;
  private final Ticker ticker;
  private final @Nullable Executor workers;

  /**
   * @param calls makes the calls: the fetcher's client (made by {@link Clients#derive}), or a
   *     factory of the user's made from it (an instrumented one, for traces)
   * @param followUps makes the calls of redirects' requests, as {@code calls} but without the
   *     user's application interceptors, which the request already passed
   * @param redirects the redirects to follow, as the user's client said: {@link Clients#redirects}
   * @param workers the threads blocking calls run on, or null to enqueue them
   */
  public OkHttpTransport(
      Call.Factory calls,
      Call.Factory followUps,
      Redirects redirects,
      BodyReader bodies,
      Ticker ticker,
      @Nullable Executor workers) {
    this.calls = calls;
    this.followUps = followUps;
    this.redirects = redirects;
    this.bodies = bodies;
    this.ticker = ticker;
    this.workers = workers;
  }

  @Override
  public void send(Exchange exchange) {
    Call call;
    try {
      call = newCall(exchange);
    } catch (RuntimeException e) {
      exchange.notSent(Answer.failed(ErrorKind.UNEXPECTED, e));
      return;
    }
    if (!exchange.open(call::cancel)) {
      return;
    }
    Executor pool = workers;
    if (pool == null) {
      call.enqueue(new Reply(exchange));
      return;
    }
    try {
      pool.execute(() -> execute(call, exchange));
    } catch (RejectedExecutionException e) {
      exchange.ended(Answer.failed(ErrorKind.REJECTED, e)); // closing
    }
  }

  /** A call for {@code exchange}, made in the context its batch's caller had, if any. */
  private Call newCall(Exchange exchange) {
    Call.Factory factory = exchange.isFollowUp() ? followUps : calls;
    Executor context = exchange.callContext();
    if (context == Batch.NO_CONTEXT) {
      return factory.newCall(exchange.request());
    }
    @Nullable Call[] made = new Call[1];
    context.execute(() -> made[0] = factory.newCall(exchange.request()));
    Call call = made[0];
    if (call == null) {
      throw new IllegalStateException(
          "the executor of callContext did not run the task at once, on the calling thread");
    }
    return call;
  }

  private void execute(Call call, Exchange exchange) {
    Response response;
    try {
      response = call.execute();
    } catch (Throwable e) { // an InterruptedException too, which OkHttp may throw undeclared
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt(); // the fetcher is closing: keep the thread's status
      }
      exchange.ended(failure(e, exchange));
      return;
    }
    answer(response, exchange);
  }

  /**
   * Reads {@code response}, lets the exchange hear it, and only then closes it: whoever watches the
   * response's end (an interceptor that wraps its body, waiting for the calls in flight to finish)
   * then finds the input's result recorded, or its retry planned, and a {@code close()} of the
   * fetcher that follows cannot turn a response read whole into a {@code CANCELLED} result.
   */
  private void answer(Response response, Exchange exchange) {
    Answer answer;
    try {
      answer = read(response, exchange);
    } catch (Throwable e) { // nothing may escape to OkHttp, which would rethrow it uncaught
      answer = failure(e, exchange);
    }
    try {
      exchange.ended(answer);
    } finally {
      try {
        response.close();
      } catch (Throwable e) { // from a body an interceptor wrapped: the answer is in already
        // nothing may escape to OkHttp, and there is no one left to tell
      }
    }
  }

  /** The callback of an enqueued call. */
  private final class Reply implements Callback {
    private final Exchange exchange;

    Reply(Exchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public void onResponse(Call call, Response response) {
      answer(response, exchange);
    }

    @Override
    public void onFailure(Call call, IOException e) {
      exchange.ended(failure(e, exchange));
    }
  }

  private Answer read(Response response, Exchange exchange) {
    int status = response.code();
    Headers raw = response.headers();
    if (status == 503) {
      raw = restoreRetryAfter(raw, exchange.request());
    }
    Map<String, List<String>> headers = new ResponseHeaders(raw);
    QuotaSignal signal = QuotaHeaders.parse(raw, ticker.instant());
    if (status >= 300 && status < 400) {
      Request followUp = redirects.followUp(response, exchange.request().tag(RequestTag.class));
      if (followUp != null) {
        return Answer.redirect(status, headers, signal, followUp);
      }
    }
    try {
      byte[] body =
          bodies.read(
              response,
              headers,
              exchange.index(),
              exchange.url(),
              exchange::received,
              exchange::isDone);
      return Answer.response(status, headers, body, signal);
    } catch (Throwable e) {
      // The status and headers arrived; keep them with the failure of the body. Anything but an
      // IOException comes from the user's body handler (an Error included).
      return Answer.response(status, headers, NO_BODY, signal)
          .bodyFailed(Failures.classify(e, exchange.cancelled() != null), Failures.cause(e));
    }
  }

  /** The headers of a 503 with the {@code Retry-After} the network interceptor hid from OkHttp. */
  private static Headers restoreRetryAfter(Headers headers, Request request) {
    RequestTag tag = request.tag(RequestTag.class);
    List<String> hidden = tag == null ? null : tag.takeHiddenRetryAfter();
    if (hidden == null) {
      return headers;
    }
    Headers.Builder restored = headers.newBuilder();
    for (String value : hidden) {
      try {
        restored.add("Retry-After", value);
      } catch (IllegalArgumentException e) {
        // a value OkHttp would not build (a control character): no wait can be read from it anyway
      }
    }
    return restored.build();
  }

  private static Answer failure(Throwable e, Exchange exchange) {
    // Only our own cancellation counts: OkHttp's call timeout also cancels the call.
    return Answer.failed(Failures.classify(e, exchange.cancelled() != null), Failures.cause(e));
  }
}
