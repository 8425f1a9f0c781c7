package dev.batchfetch;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * Answers each path with the responses scripted for it, in order, then with 200 and the path; and
 * records when each request arrived. Concurrent requests arrive in any order, so scripts are per
 * path. Optionally holds every request until a number of them are in flight together.
 */
final class Script extends Dispatcher {
  /** One request as the server saw it. */
  record Arrival(String path, long nanos) {}

  private final Map<String, Queue<MockResponse>> scripts = new ConcurrentHashMap<>();
  private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile CountDownLatch together = new CountDownLatch(0);

  /** Answers the next request for {@code path} with {@code response}. */
  Script then(String path, MockResponse response) {
    scripts.computeIfAbsent(path, p -> new ArrayDeque<>()).add(response);
    return this;
  }

  /** Holds requests until {@code count} of them have arrived. */
  Script holdUntilTogether(int count) {
    together = new CountDownLatch(count);
    return this;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
    String path = request.getUrl().encodedPath();
    arrivals.add(new Arrival(path, System.nanoTime()));
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    try {
      CountDownLatch latch = together;
      latch.countDown();
      latch.await(10, TimeUnit.SECONDS);
      Queue<MockResponse> script = scripts.get(path);
      MockResponse scripted;
      synchronized (this) {
        scripted = script == null ? null : script.poll();
      }
      return scripted != null ? scripted : new MockResponse.Builder().body(path).build();
    } finally {
      inFlight.decrementAndGet();
    }
  }

  List<Arrival> arrivals() {
    return List.copyOf(arrivals);
  }

  /** Arrival times of requests whose path starts with {@code prefix}, in arrival order. */
  List<Long> arrivalsOf(String prefix) {
    return arrivals.stream().filter(a -> a.path().startsWith(prefix)).map(Arrival::nanos).toList();
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  static MockResponse status(int code, String... headers) {
    MockResponse.Builder builder = new MockResponse.Builder().code(code).body("status " + code);
    for (int i = 0; i < headers.length; i += 2) {
      builder.setHeader(headers[i], headers[i + 1]);
    }
    return builder.build();
  }
}
