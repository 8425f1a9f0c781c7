package dev.batchfetch.internal.discovery;

import java.util.Arrays;

/**
 * When the most recent accepted calls were sent, to measure the rate a server accepted over a span
 * of time. A ring of the last {@link #CAPACITY} send times, in the order their answers came (not
 * quite send order: answers overtake each other). It starts small and grows as calls are accepted,
 * so that each of the many hosts of a crawl, heard from a few times, costs a few hundred bytes. Not
 * thread-safe.
 */
final class AcceptedLog {
  static final int CAPACITY = 8192;
  private static final int INITIAL = 64;

  private long[] sent = new long[INITIAL];
  private int size;
  private int next;

  void add(long sentNanos) {
    if (size == sent.length && sent.length < CAPACITY) {
      // Full but not at capacity: next is 0 (it wrapped exactly as size reached the length).
      sent = Arrays.copyOf(sent, Math.min(CAPACITY, 2 * sent.length));
      next = size;
    }
    sent[next] = sentNanos;
    next = (next + 1) % sent.length;
    size = Math.min(size + 1, sent.length);
  }

  /** How many accepted calls were sent in [{@code from}, {@code to}], as far as the ring holds. */
  long count(long from, long to) {
    long count = 0;
    for (int i = 0; i < size; i++) {
      long t = sent[i];
      if (t - from >= 0 && to - t >= 0) {
        count++;
      }
    }
    return count;
  }

  /**
   * Calls per second accepted among those sent in [{@code from}, {@code to}]. When the ring no
   * longer reaches back to {@code from}, the span is shortened to what it holds.
   */
  double rate(long from, long to) {
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      oldest = Math.min(oldest, sent[i]);
    }
    long start = size == CAPACITY && oldest - from > 0 ? oldest : from;
    return to - start <= 0 ? 0 : count(from, to) * 1e9 / (to - start);
  }
}
