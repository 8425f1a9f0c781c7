package dev.batchfetch;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * Answers {@code /id/{n}} with {@code n}, the shape of the demo's server, and records what a test
 * needs to know: when each request arrived, how many were in flight at once. Requests can be held
 * on a latch, the honest way to prove how many calls really are in flight together.
 */
final class IdDispatcher extends Dispatcher {
  private final CountDownLatch release;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final List<Long> arrivalNanos = new CopyOnWriteArrayList<>();
  private final List<String> paths = new CopyOnWriteArrayList<>();

  /** A dispatcher that answers at once. */
  IdDispatcher() {
    this(new CountDownLatch(0));
  }

  /** A dispatcher that holds every request until {@code release} opens. */
  IdDispatcher(CountDownLatch release) {
    this.release = release;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
    arrivalNanos.add(System.nanoTime());
    String path = request.getUrl().encodedPath();
    paths.add(path);
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    try {
      if (!release.await(20, TimeUnit.SECONDS)) {
        return new MockResponse.Builder().code(504).body("held too long").build();
      }
      if (!path.startsWith("/id/")) {
        return new MockResponse.Builder().code(404).body("no such path: " + path).build();
      }
      return new MockResponse.Builder()
          .setHeader("Content-Type", "text/plain; charset=utf-8")
          .body(path.substring("/id/".length()))
          .build();
    } finally {
      inFlight.decrementAndGet();
    }
  }

  int inFlight() {
    return inFlight.get();
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  int requestCount() {
    return paths.size();
  }

  List<String> paths() {
    return List.copyOf(paths);
  }

  List<Long> arrivalNanos() {
    return List.copyOf(arrivalNanos);
  }
}
