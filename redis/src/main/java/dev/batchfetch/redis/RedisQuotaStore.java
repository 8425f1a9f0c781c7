package dev.batchfetch.redis;

import dev.batchfetch.QuotaStore;
import dev.batchfetch.redis.internal.Availability;
import dev.batchfetch.redis.internal.LearnedCodec;
import dev.batchfetch.redis.internal.RedisConnection;
import dev.batchfetch.redis.internal.Settings;
import io.lettuce.core.RedisClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A {@link QuotaStore} kept in Redis: what quota discovery learns of each host (its rate, a pause
 * its server asked for), shared by every process that uses the same Redis and key prefix. A process
 * starting cold begins at the rate the others learned, and a running one hears, within about {@link
 * Builder#refreshEvery}, a lower rate or a pause another learned, instead of finding the quota
 * again with 429s of its own.
 *
 * <pre>{@code
 * try (RedisQuotaStore store =
 *         RedisQuotaStore.builder().uri("redis://127.0.0.1:6379").build();
 *     BatchFetcher fetcher = BatchFetcher.builder().quotaStore(store).build()) {
 *   fetcher.fetchAll(urls).join();
 * }
 * }</pre>
 *
 * <p><b>How.</b> Each host is a key, {@code <prefix><host:port>}, whose value holds the rate, the
 * pause and when they were learned; a write keeps the rate of the newer entry and the longer pause
 * (a script in Redis, so writers race safely), and the key expires {@link Builder#expireAfter}
 * after its last write (after its pause, if that ends later). The store answers the fetcher from a
 * copy in this process's memory, never from Redis: {@link #read} and {@link #write} return at once.
 * One thread of the store's own writes behind, and refreshes the copy of the hosts this process met
 * every {@link Builder#refreshEvery}; {@link Builder#build()} loads what is shared before it
 * returns, waiting at most the connect timeout.
 *
 * <p><b>When Redis is gone</b> the store goes on with its copy, logs once (and once when Redis
 * answers again), keeps what it could not write and writes it when Redis is back; no batch fails
 * because of it, and each process then learns on its own, as without the store. Time is the
 * processes' wall clock: keep their clocks in step (NTP).
 *
 * <p>Thread-safe. {@link #close()} writes what is pending (waiting at most the Redis timeout),
 * stops the thread and closes the connection made here. A fetcher does not close its store: close
 * it after the fetchers that use it.
 */
public final class RedisQuotaStore implements QuotaStore, AutoCloseable {
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._:-]+");

  private final RedisConnection connection;
  private final String prefix;
  private final Duration redisTimeout;
  private final long expireMillis;
  private final int capacity;
  private final Clock clock;
  private final Availability availability;
  private final ScheduledExecutorService thread;
  private final ConcurrentHashMap<String, Learned> copy = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Learned> pending = new ConcurrentHashMap<>();
  private final Set<String> wanted = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean queued = new AtomicBoolean();

  private RedisQuotaStore(Builder builder, RedisConnection connection) {
    this.connection = connection;
    this.prefix = builder.prefix;
    this.redisTimeout = builder.redisTimeout;
    this.expireMillis = builder.expireAfter.toMillis();
    this.capacity = builder.capacity;
    this.clock = builder.clock;
    this.availability =
        new Availability(
            "quota store in " + connection.description(),
            builder.retryRedisAfter.toNanos(),
            System::nanoTime);
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "batchfetch-quota-store");
              t.setDaemon(true);
              return t;
            });
  }

  /** A builder: {@link Builder#uri} or {@link Builder#client} first. */
  public static Builder builder() {
    return new Builder();
  }

  /** What this process knows of {@code host}: its copy, at once; null for nothing. */
  @Override
  public @Nullable Learned read(String host) {
    Learned learned = copy.get(host);
    if (learned == null && wanted.size() < capacity && wanted.add(host)) {
      syncSoon(); // a host met for the first time: ask Redis now rather than at the next refresh
    }
    return learned;
  }

  /** Keeps what was learned of {@code host} in the copy at once, and in Redis soon after. */
  @Override
  public void write(String host, Learned learned) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(learned, "learned");
    keep(host, learned);
    if (pending.size() < capacity || pending.containsKey(host)) {
      pending.merge(host, learned, Learned::merge);
    }
    syncSoon();
  }

  /** Whether Redis answered the store's last call; false from a failed call until one succeeds. */
  public boolean isRedisAvailable() {
    return availability.isUp();
  }

  /** Writes what is pending (waiting at most the Redis timeout), stops, closes; idempotent. */
  @Override
  public void close() {
    if (thread.isShutdown()) {
      return;
    }
    try {
      Future<?> last = thread.submit(this::flushQuietly);
      last.get(redisTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
      // What could not be written is lost: the other processes learn it on their own.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      thread.shutdownNow();
      connection.close();
    }
  }

  @Override
  public String toString() {
    return "RedisQuotaStore{" + connection.description() + ", " + prefix + "*}";
  }

  // On the store's thread.

  private void syncSoon() {
    if (queued.compareAndSet(false, true)) {
      try {
        thread.execute(this::sync);
      } catch (RejectedExecutionException e) {
        // Closed.
      }
    }
  }

  /** Writes what is pending and reads the hosts met but not known yet. */
  private void sync() {
    queued.set(false);
    talk(
        () -> {
          flush();
          fetch(new HashSet<>(wanted));
        });
  }

  /** Writes what is pending and reads every host this process knows of. */
  private void refresh() {
    talk(
        () -> {
          flush();
          Set<String> hosts = new HashSet<>(copy.keySet());
          hosts.addAll(wanted);
          fetch(hosts);
        });
  }

  /** Reads every host under the prefix, up to the capacity: what is shared before a first call. */
  private void load() {
    talk(() -> fetch(LearnedCodec.scan(connection.async(), prefix, capacity, redisTimeout)));
  }

  private void flushQuietly() {
    if (!pending.isEmpty() && availability.isUp()) {
      talk(this::flush);
    }
  }

  private interface Call {
    void run() throws Exception;
  }

  /** Runs {@code call} against Redis unless it is left alone after a failure; never throws. */
  private void talk(Call call) {
    if (!availability.mayAsk()) {
      return;
    }
    try {
      call.run();
      availability.answered();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      availability.failed(e instanceof RuntimeException r ? r : new IllegalStateException(e));
    }
  }

  private void flush() throws Exception {
    if (pending.isEmpty()) {
      return;
    }
    long now = clock.millis();
    for (var entry : pending.entrySet()) {
      LearnedCodec.merge(
          connection.async(),
          prefix + entry.getKey(),
          entry.getValue(),
          now,
          expireMillis,
          redisTimeout);
      pending.remove(entry.getKey(), entry.getValue()); // unless written again meanwhile
    }
  }

  private void fetch(Set<String> hosts) throws Exception {
    if (hosts.isEmpty()) {
      return;
    }
    var found = LearnedCodec.get(connection.async(), prefix, hosts, redisTimeout);
    for (String host : hosts) {
      Learned learned = found.get(host);
      if (learned != null) {
        wanted.remove(host);
        keep(host, learned);
      } else if (!pending.containsKey(host) && copy.remove(host) != null) {
        wanted.add(host); // expired in Redis: nobody renewed it
      }
    }
  }

  private void keep(String host, Learned learned) {
    if (copy.size() >= capacity && !copy.containsKey(host)) {
      return; // full: the hosts known first stay
    }
    copy.merge(host, learned, Learned::merge);
  }

  private void start(Duration refreshEvery, Duration loadWait) {
    try {
      thread.submit(this::load).get(loadWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // Redis is slow or away: start with an empty copy; the refresh fills it when Redis answers.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long every = refreshEvery.toNanos();
    Future<?> unused =
        thread.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.NANOSECONDS);
  }

  /**
   * Configures a {@link RedisQuotaStore}. Each setter may be called once; exactly one of {@link
   * #uri} and {@link #client} must be. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable String uri;
    private @Nullable RedisClient client;
    private String prefix = "batchfetch:learned:";
    private Duration refreshEvery = Duration.ofMillis(250);
    private Duration expireAfter = Duration.ofHours(1);
    private Duration redisTimeout = Duration.ofMillis(500);
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration retryRedisAfter = Duration.ofSeconds(5);
    private int capacity = 10_000;
    private Clock clock = Clock.systemUTC();
    private final Settings given = new Settings();

    private Builder() {}

    /**
     * Redis at {@code uri} ({@code redis://host:port}, ...), through a Lettuce client made here and
     * closed by {@link RedisQuotaStore#close()}.
     *
     * @throws NullPointerException if {@code uri} is null
     * @throws IllegalStateException if Redis was already given
     */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri");
      once("redis").uri = uri;
      return this;
    }

    /**
     * Redis through the user's Lettuce {@code client}, with its options: a connection of the
     * store's own is opened, and closed by {@link RedisQuotaStore#close()}; the client stays the
     * user's.
     *
     * @throws NullPointerException if {@code client} is null
     * @throws IllegalStateException if Redis was already given
     */
    public Builder client(RedisClient client) {
      Objects.requireNonNull(client, "client");
      once("redis").client = client;
      return this;
    }

    /**
     * The keys' prefix, {@code "batchfetch:learned:"} by default: processes that share one prefix
     * share what they learn. Letters, digits, {@code . _ : -}.
     *
     * @throws NullPointerException if {@code prefix} is null
     * @throws IllegalArgumentException if it is empty or has other characters
     * @throws IllegalStateException if called before
     */
    public Builder keyPrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (!PREFIX.matcher(prefix).matches()) {
        throw new IllegalArgumentException(
            "prefix must be letters, digits, '.', '_', ':' or '-', was \"" + prefix + "\"");
      }
      once("keyPrefix").prefix = prefix;
      return this;
    }

    /**
     * How often the copy of the hosts this process met is read again from Redis; default 250 ms:
     * about how late a pause or a lower rate another process learned is heard.
     *
     * @throws NullPointerException if {@code every} is null
     * @throws IllegalArgumentException if it is not positive
     * @throws IllegalStateException if called before
     */
    public Builder refreshEvery(Duration every) {
      positive(every, "every");
      once("refreshEvery").refreshEvery = every;
      return this;
    }

    /**
     * How long a host's entry lives after its last write; default 1 hour.
     *
     * @throws NullPointerException if {@code expireAfter} is null
     * @throws IllegalArgumentException if it is not positive
     * @throws IllegalStateException if called before
     */
    public Builder expireAfter(Duration expireAfter) {
      positive(expireAfter, "expireAfter");
      once("expireAfter").expireAfter = expireAfter;
      return this;
    }

    /**
     * The longest one exchange with Redis may take; default 500 ms.
     *
     * @throws NullPointerException if {@code redisTimeout} is null
     * @throws IllegalArgumentException if it is not positive
     * @throws IllegalStateException if called before
     */
    public Builder redisTimeout(Duration redisTimeout) {
      positive(redisTimeout, "redisTimeout");
      once("redisTimeout").redisTimeout = redisTimeout;
      return this;
    }

    /**
     * For a {@link #uri}: the longest connecting may take, and the longest {@link #build()} waits
     * to load what is shared; default 2 s.
     *
     * @throws NullPointerException if {@code connectTimeout} is null
     * @throws IllegalArgumentException if it is not positive
     * @throws IllegalStateException if called before
     */
    public Builder connectTimeout(Duration connectTimeout) {
      positive(connectTimeout, "connectTimeout");
      once("connectTimeout").connectTimeout = connectTimeout;
      return this;
    }

    /**
     * How long to leave Redis alone after a call to it failed; default 5 s.
     *
     * @throws NullPointerException if {@code retryRedisAfter} is null
     * @throws IllegalArgumentException if it is not positive
     * @throws IllegalStateException if called before
     */
    public Builder retryRedisAfter(Duration retryRedisAfter) {
      positive(retryRedisAfter, "retryRedisAfter");
      once("retryRedisAfter").retryRedisAfter = retryRedisAfter;
      return this;
    }

    /**
     * The most hosts the store keeps in its copy and has pending; default 10,000.
     *
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     * @throws IllegalStateException if called before
     */
    public Builder capacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
      }
      once("capacity").capacity = capacity;
      return this;
    }

    /**
     * The wall clock that expiry is counted on; default {@link Clock#systemUTC()}. A test hook.
     *
     * @throws NullPointerException if {@code clock} is null
     * @throws IllegalStateException if called before
     */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      once("clock").clock = clock;
      return this;
    }

    /**
     * The store, with what Redis holds under the prefix loaded, or empty if Redis did not answer
     * within the connect timeout; its thread then goes on trying.
     *
     * @throws IllegalStateException if no Redis was given
     * @throws IllegalArgumentException if the URI is not a Redis URI
     */
    public RedisQuotaStore build() {
      RedisConnection redis;
      if (uri != null) {
        redis = RedisConnection.of(uri, redisTimeout, connectTimeout);
      } else if (client != null) {
        redis = RedisConnection.of(client);
      } else {
        throw new IllegalStateException("no Redis: call uri or client");
      }
      RedisQuotaStore store = new RedisQuotaStore(this, redis);
      store.start(refreshEvery, connectTimeout.plus(redisTimeout));
      return store;
    }

    private Builder once(String setting) {
      given.once(setting);
      return this;
    }

    private static void positive(Duration duration, String name) {
      Settings.positive(duration, name);
    }
  }
}
