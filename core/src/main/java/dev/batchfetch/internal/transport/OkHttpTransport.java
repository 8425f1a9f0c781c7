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
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Sends attempts with OkHttp: asynchronously with {@code enqueue} (the async policy), or with a
 * blocking {@code execute} on a thread of the policy's pool (sequential and pool). Either way the
 * response is read and closed on the thread that got it, and the exchange hears exactly once.
 * Thread-safe.
 */
public final class OkHttpTransport implements Transport {
  private static final byte[] NO_BODY = new byte[0];

  private final Call.Factory calls;
  private final BodyReader bodies;
  private final Ticker ticker;
  private final @Nullable Executor workers;

  /**
   * @param calls makes the calls: the fetcher's client, whose network interceptors include {@link
   *     #leaving()}, or a factory of the user's made from it (an instrumented one, for traces)
   * @param workers the threads blocking calls run on, or null to enqueue them
   */
  public OkHttpTransport(
      Call.Factory calls, BodyReader bodies, Ticker ticker, @Nullable Executor workers) {
    this.calls = calls;
    this.bodies = bodies;
    this.ticker = ticker;
    this.workers = workers;
  }

  /**
   * The network interceptor that tells each exchange when its request really leaves, after its
   * connection is made: the limiters learn how late it left, and a request that would reach the
   * server in a bunch with others waits here, on its own thread, until their departure gates let it
   * go.
   */
  public static okhttp3.Interceptor leaving() {
    return chain -> {
      RequestTag tag = chain.request().tag(RequestTag.class);
      if (tag != null && tag.owner() instanceof Exchange exchange) {
        long wait = exchange.leaving();
        if (wait > 0) {
          exchange.awaitDeparture(wait);
        }
      }
      return chain.proceed(chain.request());
    };
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
    Executor context = exchange.callContext();
    if (context == Batch.NO_CONTEXT) {
      return calls.newCall(exchange.request());
    }
    @Nullable Call[] made = new Call[1];
    context.execute(() -> made[0] = calls.newCall(exchange.request()));
    Call call = made[0];
    if (call == null) {
      throw new IllegalStateException(
          "the executor of callContext did not run the task at once, on the calling thread");
    }
    return call;
  }

  private void execute(Call call, Exchange exchange) {
    Answer answer;
    try (Response response = call.execute()) {
      answer = read(response, exchange);
    } catch (IOException | RuntimeException e) {
      answer = failure(e, exchange);
    }
    exchange.ended(answer);
  }

  /** The callback of an enqueued call. */
  private final class Reply implements Callback {
    private final Exchange exchange;

    Reply(Exchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public void onResponse(Call call, Response response) {
      Answer answer;
      try (response) {
        answer = read(response, exchange);
      } catch (RuntimeException e) {
        answer = failure(e, exchange);
      }
      exchange.ended(answer);
    }

    @Override
    public void onFailure(Call call, IOException e) {
      exchange.ended(failure(e, exchange));
    }
  }

  private Answer read(Response response, Exchange exchange) {
    int status = response.code();
    Map<String, List<String>> headers = new ResponseHeaders(response.headers());
    QuotaSignal signal = QuotaHeaders.parse(response.headers(), ticker.instant());
    try {
      byte[] body =
          bodies.read(response, headers, exchange.index(), exchange.url(), exchange::received);
      return Answer.response(status, headers, body, signal);
    } catch (IOException | RuntimeException e) {
      // The status and headers arrived; keep them with the failure of the body. A runtime
      // exception comes from the user's body handler.
      return Answer.response(status, headers, NO_BODY, signal)
          .bodyFailed(Failures.classify(e, exchange.cancelled() != null), e);
    }
  }

  private static Answer failure(Exception e, Exchange exchange) {
    // Only our own cancellation counts: OkHttp's call timeout also cancels the call.
    return Answer.failed(Failures.classify(e, exchange.cancelled() != null), e);
  }
}
