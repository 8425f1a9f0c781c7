package dev.batchfetch.internal.discovery;

/**
 * When the most recent accepted calls were sent, to measure the rate a server accepted over a span
 * of time. A ring of the last {@link #CAPACITY} send times, in the order their answers came (not
 * quite send order: answers overtake each other). Not thread-safe.
 */
final class AcceptedLog {
  static final int CAPACITY = 8192;

  private final long[] sent = new long[CAPACITY];
  private int size;
  private int next;

  void add(long sentNanos) {
    sent[next] = sentNanos;
    next = (next + 1) % CAPACITY;
    size = Math.min(size + 1, CAPACITY);
  }

  /**
   * Calls per second accepted among those sent in [{@code from}, {@code to}]. When the ring no
   * longer reaches back to {@code from}, the span is shortened to what it holds.
   */
  double rate(long from, long to) {
    long count = 0;
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      long t = sent[i];
      oldest = Math.min(oldest, t);
      if (t - from >= 0 && to - t >= 0) {
        count++;
      }
    }
    long start = size == CAPACITY && oldest - from > 0 ? oldest : from;
    return to - start <= 0 ? 0 : count * 1e9 / (to - start);
  }
}
