package dev.batchfetch.internal.discovery;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where what discovery learned of a host outlives the host's state: read when the fetcher meets a
 * host (again, after it forgot it while idle), written whenever the host's rate or pause changes.
 *
 * <p>This is the seam for sharing a learned rate across processes (issue 14): a store kept in Redis
 * would let a process starting cold begin at the rate the others learned, and pause when they were
 * told to, instead of finding the quota again with refusals of its own. The fetcher keeps its own
 * in memory ({@link #inMemory}). Implementations are thread-safe; {@link #read} and {@link #write}
 * are called on the admission loop and on the threads that end attempts, so they must not block (a
 * remote store answers from a local copy and writes behind).
 */
public interface RateStore {
  /**
   * What was learned of a host.
   *
   * @param rate the rate it accepts, calls per second, positive and finite
   * @param pausedUntil no call before this, or null for no pause
   * @param at when it was learned
   */
  record Learned(double rate, @Nullable Instant pausedUntil, Instant at) {
    /**
     * @throws IllegalArgumentException if {@code rate} is not positive and finite
     * @throws NullPointerException if {@code at} is null
     */
    public Learned {
      Objects.requireNonNull(at, "at");
      if (!(rate > 0) || rate == Double.POSITIVE_INFINITY) {
        throw new IllegalArgumentException("rate must be positive and finite, was " + rate);
      }
    }
  }

  /** What was learned of {@code host} ({@code name:port}), or null for nothing. */
  @Nullable Learned read(String host);

  /** Keeps what was learned of {@code host}, replacing what was kept. */
  void write(String host, Learned learned);

  /**
   * A store in this process's memory, of the {@code capacity} hosts written or read most recently.
   *
   * @throws IllegalArgumentException if {@code capacity} is less than 1
   */
  static RateStore inMemory(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    Map<String, Learned> recent =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Learned> eldest) {
            return size() > capacity;
          }
        };
    return new RateStore() {
      @Override
      public synchronized @Nullable Learned read(String host) {
        return recent.get(host);
      }

      @Override
      public synchronized void write(String host, Learned learned) {
        recent.put(host, learned);
      }
    };
  }
}
