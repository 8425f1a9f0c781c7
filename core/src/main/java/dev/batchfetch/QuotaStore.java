package dev.batchfetch;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where what {@link BatchFetcher.Builder#quotaDiscovery quota discovery} learns of each host lives:
 * the rate the host's server accepts and a pause it asked for. A fetcher keeps its own in memory
 * ({@link #inMemory}, the default); a store shared by many processes, {@code RedisQuotaStore} of
 * {@code batchfetch-redis}, lets a process starting cold begin at the rate the others learned, and
 * pause when one of them is told to wait, instead of finding the quota again with 429s of its own.
 *
 * <pre>{@code
 * BatchFetcher fetcher = BatchFetcher.builder().quotaStore(store).build();
 * }</pre>
 *
 * <p>The fetcher {@linkplain #read reads} a host's entry when it meets the host, and again before
 * each call to it starts, so that a lower rate or a pause another process learned reaches a running
 * batch; it {@linkplain #write writes} one whenever the rate or pause it learned of the host
 * changes. What it does with an entry:
 *
 * <ul>
 *   <li>A host met starts at the entry's rate (a configured rate stays the ceiling), and waits out
 *       its pause.
 *   <li>While the host runs, an entry newer than what the fetcher knows, learned within the last
 *       five minutes, brings the host's rate down to the entry's when that is lower (the fetcher
 *       then probes upward from there, as from a rate it learned itself), and a pause longer than
 *       the host's own pauses it too, at most {@link BatchFetcher.Builder#maxRetryAfter}.
 *   <li>Only what the fetcher learned itself is written, never what it read: an entry no process
 *       renews grows old and stops holding anyone down.
 * </ul>
 *
 * <p><b>Implementations</b> must be thread-safe, and must not block: {@link #read} is called on the
 * fetcher's admission thread before every call, and {@link #write} on the threads that end calls. A
 * remote store answers from a local copy it keeps up to date in the background, and writes behind.
 * Neither method may throw: a store that cannot reach its backend goes on with its local copy. A
 * store shared by several processes should keep, for each host, the rate of the newest entry and
 * the longest pause ({@link Learned#merge}).
 */
public interface QuotaStore {
  /**
   * What was learned of a host. Immutable.
   *
   * @param rate the rate its server accepts, calls per second, positive and finite
   * @param pausedUntil no call before this, or null for no pause
   * @param at when it was learned, by the wall clock of the fetcher that learned it
   */
  record Learned(double rate, @Nullable Instant pausedUntil, Instant at) {
    /**
     * Checks the parts.
     *
     * @throws IllegalArgumentException if {@code rate} is not positive and finite
     * @throws NullPointerException if {@code at} is null
     */
    public Learned {
      Objects.requireNonNull(at, "at");
      if (!(rate > 0) || rate == Double.POSITIVE_INFINITY) {
        throw new IllegalArgumentException("rate must be positive and finite, was " + rate);
      }
    }

    /**
     * This entry and {@code other} as one: the rate and time of the newer (this one on a tie), the
     * later of the two pauses.
     *
     * @throws NullPointerException if {@code other} is null
     */
    public Learned merge(Learned other) {
      Objects.requireNonNull(other, "other");
      Learned newer = other.at.isAfter(at) ? other : this;
      Instant pause = pausedUntil;
      if (pause == null || (other.pausedUntil != null && other.pausedUntil.isAfter(pausedUntil))) {
        pause = other.pausedUntil;
      }
      return Objects.equals(pause, newer.pausedUntil)
          ? newer
          : new Learned(newer.rate, pause, newer.at);
    }
  }

  /**
   * What is known of {@code host} ({@code "name:port"}), or null for nothing. Answers from memory,
   * at once, and never throws.
   */
  @Nullable Learned read(String host);

  /**
   * Keeps what the fetcher learned of {@code host} ({@code "name:port"}). Returns at once (a remote
   * store writes behind) and never throws; a store may {@linkplain Learned#merge merge} it with
   * what it holds.
   */
  void write(String host, Learned learned);

  /**
   * A store in this process's memory, of the {@code capacity} hosts written or read most recently,
   * which {@linkplain Learned#merge merges} what it is given. Thread-safe; a fetcher without a
   * store of the user's has one of its own.
   *
   * @throws IllegalArgumentException if {@code capacity} is less than 1
   */
  static QuotaStore inMemory(int capacity) {
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
    return new QuotaStore() {
      @Override
      public synchronized @Nullable Learned read(String host) {
        return recent.get(host);
      }

      @Override
      public synchronized void write(String host, Learned learned) {
        recent.merge(host, Objects.requireNonNull(learned, "learned"), Learned::merge);
      }

      @Override
      public String toString() {
        return "QuotaStore.inMemory(" + capacity + ")";
      }
    };
  }
}
