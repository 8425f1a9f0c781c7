package dev.batchfetch;

import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;

/** Inputs for streamed batches: generated as they are read, and counted. */
final class Inputs implements Iterable<String> {
  private final String base;
  private final long count;
  private final AtomicInteger read = new AtomicInteger();

  private Inputs(String base, long count) {
    this.base = base;
    this.count = count;
  }

  /** {@code /id/0}, {@code /id/1}, ... {@code /id/(count-1)} on {@code server}, made when read. */
  static Inputs ids(MockWebServer server, long count) {
    return new Inputs(server.url("/id/").toString(), count);
  }

  /** {@code /id/0}, {@code /id/1}, ... without end: a batch that read them all would never end. */
  static Inputs endless(MockWebServer server) {
    return new Inputs(server.url("/id/").toString(), Long.MAX_VALUE);
  }

  /** {@code http://a.test/id/0}, {@code /id/1}, ... without end, for a virtual-time fetcher. */
  static Inputs endless() {
    return new Inputs("http://a.test/id/", Long.MAX_VALUE);
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
        return base + read.getAndIncrement();
      }
    };
  }
}
