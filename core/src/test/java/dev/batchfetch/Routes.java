package dev.batchfetch;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * Answers by path, since concurrent requests arrive in any order, and keeps every request by path.
 */
final class Routes extends Dispatcher {
  private final Map<String, MockResponse> responses;
  private final Map<String, BlockingQueue<RecordedRequest>> received;

  Routes(Map<String, MockResponse> responses) {
    this.responses = Map.copyOf(responses);
    this.received = new java.util.concurrent.ConcurrentHashMap<>();
    responses.keySet().forEach(path -> received.put(path, new LinkedBlockingQueue<>()));
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    MockResponse response = responses.get(path);
    if (response == null) {
      return new MockResponse.Builder().code(404).body("no route for " + path).build();
    }
    received.get(path).add(request);
    return response;
  }

  /** The first request received for {@code path}, waiting up to five seconds. */
  RecordedRequest take(String path) throws InterruptedException {
    RecordedRequest request = received.get(path).poll(5, java.util.concurrent.TimeUnit.SECONDS);
    if (request == null) {
      throw new AssertionError("no request for " + path);
    }
    return request;
  }
}
