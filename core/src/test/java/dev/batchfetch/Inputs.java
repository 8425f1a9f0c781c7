package dev.batchfetch;

import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;

/** Inputs for streamed batches: generated as they are read, and counted. */
final class Inputs implements Iterable<String> {
  private final MockWebServer server;
  private final long count;
  private final AtomicInteger read = new AtomicInteger();

  private Inputs(MockWebServer server, long count) {
    this.server = server;
    this.count = count;
  }

  /** {@code /id/0}, {@code /id/1}, ... {@code /id/(count-1)} on {@code server}, made when read. */
  static Inputs ids(MockWebServer server, long count) {
    return new Inputs(server, count);
  }

  /** {@code /id/0}, {@code /id/1}, ... without end: a batch that read them all would never end. */
  static Inputs endless(MockWebServer server) {
    return new Inputs(server, Long.MAX_VALUE);
  }

  /** How many have been read so far. */
  int read() {
    return read.get();
  }

  @Override
  public Iterator<String> iterator() {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return read.get() < count;
      }

      @Override
      public String next() {
        return server.url("/id/" + read.getAndIncrement()).toString();
      }
    };
  }
}
