package dev.batchfetch;

import dev.batchfetch.internal.Hooks;
import dev.batchfetch.internal.admission.Answer;
import dev.batchfetch.internal.admission.Exchange;
import dev.batchfetch.internal.admission.Transport;
import dev.batchfetch.internal.quota.QuotaHeaders;
import dev.batchfetch.internal.quota.QuotaSignal;
import dev.batchfetch.internal.time.FakeClock;
import dev.batchfetch.testing.QuotaModel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;

/**
 * The network of a fetcher that runs in virtual time: a transport that answers every request from
 * scripts, after a latency on the test's {@link FakeClock}, and records when each request went out
 * and how many were in flight. With {@link #builder} a test builds a fetcher on it that starts no
 * thread and opens no socket, advances the clock, and sees exactly which calls start when.
 *
 * <p>Requests are keyed by host and path, {@code "a.test/x"} for {@code http://a.test/x}. A key
 * with no script left is answered 200 with the key as its body.
 */
final class FakeServer implements Transport {
  /**
   * One request as the server saw it: its key, when it went out (on the fake clock), and the status
   * it was answered with.
   */
  record Sent(String key, long nanos, int status) {}

  /** One scripted answer. */
  record Reply(int status, Map<String, List<String>> headers, Duration latency) {}

  private final FakeClock clock;
  private final Map<String, Queue<Reply>> scripts = new ConcurrentHashMap<>();
  private final Map<String, QuotaModel> quotas = new ConcurrentHashMap<>();
  private final List<Sent> sent = new ArrayList<>();
  private final List<Runnable> held = new ArrayList<>();
  private Duration latency = Duration.ZERO;
  private boolean holding;
  private boolean departuresHeld;
  private long departuresHeldUntil;
  private int inFlight;
  private int maxInFlight;

  FakeServer(FakeClock clock) {
    this.clock = clock;
  }

  /** A fetcher builder whose fetchers run on {@code clock} and this server. */
  BatchFetcher.Builder builder() {
    return BatchFetcher.builder().hooks(hooks());
  }

  /** The hooks that run a fetcher on {@code clock} and this server. */
  Hooks hooks() {
    return new Hooks(clock, clock, clock, this);
  }

  /** Answers every request {@code latency} after it went out (default: at once). */
  synchronized FakeServer latency(Duration latency) {
    this.latency = latency;
    return this;
  }

  /** Answers the next request for {@code key} with {@code status} and the given headers. */
  FakeServer then(String key, int status, String... headers) {
    return then(key, reply(status, latency, headers));
  }

  /** The next request for {@code key} fails as a refused connection would (status 0). */
  FakeServer refuse(String key) {
    return then(key, new Reply(0, Map.of(), Duration.ZERO));
  }

  /** Answers the next request for {@code key} with {@code reply}. */
  synchronized FakeServer then(String key, Reply reply) {
    scripts.computeIfAbsent(key, k -> new ArrayDeque<>()).add(reply);
    return this;
  }

  /** A reply of {@code status} with the headers given as name, value pairs, after {@code after}. */
  static Reply reply(int status, Duration after, String... headers) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      map.computeIfAbsent(headers[i], name -> new ArrayList<>()).add(headers[i + 1]);
    }
    return new Reply(status, map, after);
  }

  /**
   * Answers every unscripted request to {@code host} ({@code "a.test"}) as {@code quota} says, by
   * its arrival time, after the server's latency: a server that enforces a quota.
   */
  synchronized FakeServer enforce(String host, QuotaModel quota) {
    quotas.put(host, quota);
    return this;
  }

  /** Holds every answer from now until {@link #release()}: requests stay in flight. */
  synchronized FakeServer hold() {
    holding = true;
    return this;
  }

  /** Answers what was held, now, and stops holding. */
  void release() {
    List<Runnable> answers;
    synchronized (this) {
      holding = false;
      answers = List.copyOf(held);
      held.clear();
    }
    answers.forEach(answer -> clock.schedule(0, answer));
  }

  synchronized List<Sent> sent() {
    return List.copyOf(sent);
  }

  /**
   * When the requests whose key starts with {@code prefix} went out, in ms since the clock began.
   */
  synchronized List<Long> millisOf(String prefix) {
    return sent.stream()
        .filter(s -> s.key().startsWith(prefix))
        .map(s -> Duration.ofNanos(s.nanos()).minus(Duration.ofNanos(startNanos())).toMillis())
        .toList();
  }

  /** The keys of the requests sent, in order. */
  synchronized List<String> keys() {
    return sent.stream().map(Sent::key).toList();
  }

  synchronized int inFlight() {
    return inFlight;
  }

  synchronized int maxInFlight() {
    return maxInFlight;
  }

  private long startNanos() {
    return clock.nanoTime() - clock.elapsed().toNanos();
  }

  @Override
  public void send(Exchange exchange) {
    Call call = new Call(exchange);
    if (!exchange.open(call::cancel)) {
      return;
    }
    long stalled;
    synchronized (this) {
      stalled = departuresHeld ? departuresHeldUntil - clock.nanoTime() : 0;
    }
    if (stalled > 0) { // a cold connection: the request leaves late
      var unused = clock.schedule(stalled, () -> depart(exchange, call));
    } else {
      depart(exchange, call);
    }
  }

  /**
   * Requests sent from now until {@code elapsed} (on the clock, since it began) leave only then,
   * all together, as a cold JVM's first calls do once their connection is up.
   */
  synchronized FakeServer holdDeparturesUntil(Duration elapsed) {
    departuresHeld = true;
    departuresHeldUntil = startNanos() + elapsed.toNanos();
    return this;
  }

  /** The request is on its way out: it leaves when its departure gates let it. */
  private void depart(Exchange exchange, Call call) {
    long wait = exchange.leaving();
    if (wait > 0) {
      var unused = clock.schedule(wait, () -> arrive(exchange, call));
    } else {
      arrive(exchange, call);
    }
  }

  private void arrive(Exchange exchange, Call call) {
    HttpUrl url = exchange.request().url();
    String key = url.host() + url.encodedPath();
    Reply reply;
    synchronized (this) {
      if (call.over) {
        return; // cancelled on its way
      }
      call.arrived = true;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      Queue<Reply> script = scripts.get(key);
      Reply scripted = script == null ? null : script.poll();
      QuotaModel quota = quotas.get(url.host());
      if (scripted != null) {
        reply = scripted;
      } else if (quota != null) {
        QuotaModel.Reply answer = quota.answer(clock.nanoTime() - startNanos());
        reply = new Reply(answer.status(), answer.headers(), latency);
      } else {
        reply = new Reply(200, Map.of(), latency);
      }
      sent.add(new Sent(key, clock.nanoTime(), reply.status()));
    }
    Runnable answer = () -> call.answer(reply, key);
    synchronized (this) {
      if (holding) {
        held.add(answer);
        return;
      }
    }
    var unused = clock.schedule(reply.latency().toNanos(), answer);
  }

  /** One attempt in flight: answered once, by its reply or by its cancellation. */
  private final class Call {
    private final Exchange exchange;
    private boolean over;
    private boolean arrived;

    Call(Exchange exchange) {
      this.exchange = exchange;
    }

    void answer(Reply reply, String key) {
      if (!finish()) {
        return;
      }
      if (reply.status() == 0) {
        exchange.ended(
            Answer.failed(ErrorKind.CONNECT, new java.net.ConnectException("Connection refused")));
        return;
      }
      QuotaSignal signal = QuotaHeaders.parse(reply.headers(), clock.instant());
      exchange.ended(
          Answer.response(
              reply.status(),
              lowerCase(reply.headers()),
              key.getBytes(StandardCharsets.UTF_8),
              signal));
    }

    /** As OkHttp does: a cancelled call fails at once. */
    void cancel() {
      var unused =
          clock.schedule(
              0,
              () -> {
                if (finish()) {
                  exchange.ended(
                      Answer.failed(ErrorKind.CANCELLED, new java.io.IOException("Canceled")));
                }
              });
    }

    private boolean finish() {
      synchronized (FakeServer.this) {
        if (over) {
          return false;
        }
        over = true;
        if (arrived) {
          inFlight--;
        }
        return true;
      }
    }
  }

  private static Map<String, List<String>> lowerCase(Map<String, List<String>> headers) {
    Map<String, List<String>> lower = new LinkedHashMap<>();
    headers.forEach((name, values) -> lower.put(name.toLowerCase(java.util.Locale.ROOT), values));
    return lower;
  }
}
