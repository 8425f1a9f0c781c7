package dev.batchfetch.flink;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.RateLimit;
import dev.batchfetch.flink.internal.ShareLimiter;
import dev.batchfetch.redis.RedisQuotaStore;
import dev.batchfetch.redis.RedisRateLimiters;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetchers of this JVM (a task manager), one per {@link FetchSettings} and parallelism, shared
 * by the subtasks that run here: the first to open builds it, the last to close closes it.
 *
 * <p>Thread-safe: subtasks open and close on their own threads.
 */
final class SharedFetchers {
  private static final Logger log = LoggerFactory.getLogger(SharedFetchers.class);

  // Guarded by the class.
  private static final Map<String, Shared> fetchers = new HashMap<>();

  private SharedFetchers() {}

  /** A subtask's hold on its task manager's fetcher; {@link #close()} lets go of it, once. */
  interface Lease extends AutoCloseable {
    BatchFetcher fetcher();

    @Override
    void close();
  }

  /**
   * The fetcher for {@code settings} and {@code parallelism} in this JVM, built if none is, with
   * one more subtask's share of the quota when no Redis shares it.
   */
  static Lease acquire(FetchSettings settings, int parallelism) {
    String key = settings.id() + "/" + parallelism;
    Shared shared;
    synchronized (SharedFetchers.class) {
      shared = fetchers.computeIfAbsent(key, k -> Shared.build(settings, parallelism));
      shared.subtasks++;
      if (shared.share != null) {
        shared.share.addShare();
      }
    }
    AtomicBoolean released = new AtomicBoolean();
    Shared held = shared;
    return new Lease() {
      @Override
      public BatchFetcher fetcher() {
        return held.fetcher;
      }

      @Override
      public void close() {
        if (released.compareAndSet(false, true)) {
          release(key, held);
        }
      }
    };
  }

  /** How many subtasks hold the fetcher of {@code settings} in this JVM. For tests. */
  static int subtasks(FetchSettings settings, int parallelism) {
    synchronized (SharedFetchers.class) {
      Shared shared = fetchers.get(settings.id() + "/" + parallelism);
      return shared == null ? 0 : shared.subtasks;
    }
  }

  private static void release(String key, Shared shared) {
    synchronized (SharedFetchers.class) {
      shared.subtasks--;
      if (shared.share != null) {
        shared.share.removeShare();
      }
      if (shared.subtasks > 0) {
        return;
      }
      fetchers.remove(key);
    }
    shared.close(); // outside the lock: it waits for the fetcher's threads
  }

  /** One JVM's fetcher for one settings object, and what it holds. */
  private static final class Shared {
    final BatchFetcher fetcher;
    final @Nullable RedisRateLimiters redis;
    final @Nullable RedisQuotaStore learned;
    final @Nullable ShareLimiter share;
    int subtasks;

    private Shared(
        BatchFetcher fetcher,
        @Nullable RedisRateLimiters redis,
        @Nullable RedisQuotaStore learned,
        @Nullable ShareLimiter share) {
      this.fetcher = fetcher;
      this.redis = redis;
      this.learned = learned;
      this.share = share;
    }

    static Shared build(FetchSettings settings, int parallelism) {
      BatchFetcher.Builder builder = BatchFetcher.builder();
      SerializableConsumer<BatchFetcher.Builder> options = settings.fetcherOptions();
      if (options != null) {
        options.accept(builder);
      }
      builder
          .policy(ExecutionPolicy.async(settings.fetcherWidth(parallelism)))
          .batchTimeout(settings.timeout().multipliedBy(9).dividedBy(10));
      RateLimit quota = settings.quota();
      RedisRateLimiters redis = null;
      RedisQuotaStore learned = null;
      ShareLimiter share = null;
      String redisUri = settings.redisUri();
      String quotaName = settings.quotaName();
      if (redisUri != null && quotaName != null) {
        RedisRateLimiters.Builder redisBuilder = RedisRateLimiters.builder().uri(redisUri);
        SerializableConsumer<RedisRateLimiters.Builder> redisOptions = settings.redisOptions();
        if (redisOptions != null) {
          redisOptions.accept(redisBuilder);
        }
        redis = redisBuilder.build();
        try {
          builder.rateLimiter(redis.limiter(quotaName, quota));
          // What discovery learns of each host is shared by the job's task managers too.
          learned =
              RedisQuotaStore.builder()
                  .uri(redisUri)
                  .keyPrefix("batchfetch:learned:" + quotaName + ":")
                  .build();
          builder.quotaStore(learned);
        } catch (RuntimeException e) {
          redis.close();
          throw e;
        }
      } else if (quota.isUnlimited()) {
        builder.rateLimit(RateLimit.unlimited());
      } else {
        share = new ShareLimiter("batchfetch-flink", quota, parallelism, System::nanoTime);
        builder.rateLimiter(share);
      }
      BatchFetcher fetcher;
      try {
        fetcher = builder.build();
      } catch (RuntimeException e) {
        closeAll(redis, learned);
        throw e;
      }
      log.info("batchfetch: {} for {} subtasks, {}", fetcher, parallelism, settings);
      return new Shared(fetcher, redis, learned, share);
    }

    void close() {
      try {
        fetcher.close();
      } finally {
        closeAll(redis, learned);
      }
    }

    private static void closeAll(
        @Nullable RedisRateLimiters redis, @Nullable RedisQuotaStore learned) {
      try {
        if (learned != null) {
          learned.close(); // after the fetcher: it writes what is pending
        }
      } finally {
        if (redis != null) {
          redis.close();
        }
      }
    }
  }
}
