package dev.batchfetch.redis;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.RateLimit;
import dev.batchfetch.redis.internal.Availability;
import dev.batchfetch.redis.internal.Buckets;
import dev.batchfetch.redis.internal.RedisConnection;
import dev.batchfetch.redis.internal.Settings;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Rate limiters whose quotas live in Redis, so that many processes share them: one connection to
 * Redis and how to behave when it does not answer, for any number of quotas and hosts.
 *
 * <pre>{@code
 * try (RedisRateLimiters redis =
 *         RedisRateLimiters.builder().uri("redis://127.0.0.1:6379").build();
 *     BatchFetcher fetcher =
 *         BatchFetcher.builder()
 *             .rateLimiter(redis.limiter("github", RateLimit.perMinute(300).withBurst(10)))
 *             .build()) {
 *   fetcher.fetchAll(urls).join();
 * }
 * }</pre>
 *
 * <p>A quota is a token bucket in Redis under the key {@code batchfetch:quota:<name>}, or {@code
 * batchfetch:quota:<name>:host:<host:port>} for a host's; every process that names it draws from
 * it, so every process must give it the same {@link RateLimit}. The first to use it after it was
 * idle writes its rate; a key expires once its bucket would be full again, so idle quotas take no
 * room and a changed rate applies after the quota has rested. Time is the processes' wall clock:
 * keep their machines' clocks in step (NTP).
 *
 * <p><b>When Redis does not answer</b> within {@link Builder#redisTimeout} (a refused connection, a
 * stopped or slow server), a limiter either fails closed, the default: {@code reservePermission()}
 * throws {@link QuotaUnavailableException} and the fetcher's result for that input is {@code
 * QUOTA_UNAVAILABLE}, so the quota is never exceeded; or, with {@link
 * Builder#fallBackToLocalShare}, it hands out permits from a bucket of its own at a share of the
 * quota. After a failure Redis is left alone for {@link Builder#retryRedisAfter} and then tried
 * again by one call; when it answers the limiters use it again. No call ever waits longer than the
 * Redis timeout for it.
 *
 * <p>Thread-safe. {@link #close()} closes the connection (and client) made here, not one the user
 * gave.
 */
public final class RedisRateLimiters implements AutoCloseable {
  private static final Pattern QUOTA_NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final String KEY_PREFIX = "batchfetch:quota:";

  /** How long a key outlives the moment its bucket is full again. */
  private static final Duration KEEP_FULL_BUCKET = Duration.ofSeconds(10);

  private final RedisConnection connection;
  private final ProxyManager<Object> buckets;
  private final Availability availability;
  private final Duration timeout;
  private final Duration jitterAllowance;
  private final int fallbackInstances;
  private final TimeMeter clock;

  private RedisRateLimiters(Builder builder, RedisConnection connection) {
    this.connection = connection;
    this.timeout = builder.timeout;
    this.jitterAllowance = builder.jitterAllowance;
    this.fallbackInstances = builder.fallbackInstances;
    Clock wallClock = builder.clock;
    this.clock = Buckets.timeMeter(wallClock);
    this.availability =
        new Availability(
            connection.description(), builder.retryRedisAfter.toNanos(), clock::currentTimeNanos);
    this.buckets =
        new Bucket4jLettuce.LettuceBasedProxyManagerBuilder<>(connection)
            .clientClock(clock)
            .requestTimeout(builder.redisTimeout)
            .expirationAfterWrite(
                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_FULL_BUCKET))
            .build();
  }

  /** A builder: {@link Builder#uri}, {@link Builder#client} or {@link Builder#connection} first. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The limiter of quota {@code quota}, for all calls of a fetcher: for {@link
   * BatchFetcher.Builder#rateLimiter(RateLimiter)}. Limiters of one name share their permits, in
   * this process and in every other.
   *
   * @param quota the quota's name: letters, digits, {@code .}, {@code _} and {@code -}
   * @param rate the quota, the same in every process
   * @throws NullPointerException if {@code quota} or {@code rate} is null
   * @throws IllegalArgumentException if {@code quota} has other characters or is empty, {@code
   *     rate} is unlimited or too fast to count (a permit every nanosecond), or its local share
   *     cannot be expressed
   */
  public RedisRateLimiter limiter(String quota, RateLimit rate) {
    checkQuota(quota, rate);
    return create(quota, KEY_PREFIX + quota, rate, Map.of("quota", quota));
  }

  /**
   * A limiter per host under quota {@code quota}, each at {@code rate}: for {@link
   * BatchFetcher.Builder#hostRateLimiters(Function)}. The function takes a host key ({@code
   * "name:port"}) and makes a new limiter each time; every limiter of one host shares that host's
   * bucket, so a fetcher may forget idle hosts and ask again.
   *
   * @throws NullPointerException if {@code quota} or {@code rate} is null, or later if the host
   *     given to the function is
   * @throws IllegalArgumentException as {@link #limiter(String, RateLimit)}, or later if the host
   *     given to the function is empty
   */
  public Function<String, RateLimiter> forHosts(String quota, RateLimit rate) {
    checkQuota(quota, rate);
    return host -> {
      Objects.requireNonNull(host, "host");
      if (host.isEmpty()) {
        throw new IllegalArgumentException("host must not be empty");
      }
      return create(
          quota + "@" + host,
          KEY_PREFIX + quota + ":host:" + host,
          rate,
          Map.of("quota", quota, "host", host));
    };
  }

  /**
   * Whether Redis answered the last call made to it; false from a failed call until one succeeds.
   */
  public boolean isRedisAvailable() {
    return availability.isUp();
  }

  /** Closes the connection and client made from a URI or client; idempotent. */
  @Override
  public void close() {
    connection.close();
  }

  @Override
  public String toString() {
    return "RedisRateLimiters{"
        + connection.description()
        + (fallbackInstances == 0
            ? ", fails closed"
            : ", falls back to 1/" + fallbackInstances + " of each quota")
        + "}";
  }

  private void checkQuota(String quota, RateLimit rate) {
    Objects.requireNonNull(quota, "quota");
    Objects.requireNonNull(rate, "rate");
    if (!QUOTA_NAME.matcher(quota).matches()) {
      throw new IllegalArgumentException(
          "quota must be letters, digits, '.', '_' or '-', was \"" + quota + "\"");
    }
    Buckets.configuration(rate, jitterAllowance); // fails early for a rate no bucket can count
    localShare(rate);
  }

  private RedisRateLimiter create(
      String name, String key, RateLimit rate, Map<String, String> tags) {
    BucketConfiguration configuration = Buckets.configuration(rate, jitterAllowance);
    Bucket shared = buckets.builder().build(key, () -> configuration);
    RateLimit share = localShare(rate);
    Bucket local = share == null ? null : Buckets.local(share, clock);
    return new RedisRateLimiter(
        name,
        rate,
        Buckets.maxPermits(rate, jitterAllowance),
        timeout,
        shared,
        local,
        availability,
        connection,
        clock,
        tags);
  }

  /** The fallback's rate: {@code 1/instances} of {@code rate}, or null when failing closed. */
  private @Nullable RateLimit localShare(RateLimit rate) {
    if (fallbackInstances == 0) {
      return null;
    }
    try {
      return new RateLimit(
          rate.permits(),
          rate.period().multipliedBy(fallbackInstances),
          rate.burst() / fallbackInstances);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "a 1/" + fallbackInstances + " share of " + rate + " is not a rate: " + e.getMessage(),
          e);
    }
  }

  /**
   * Configures {@link RedisRateLimiters}. Each setter may be called once; exactly one of {@link
   * #uri}, {@link #client} and {@link #connection} must be.
   *
   * <p>Not thread-safe; {@link #build()} copies the configuration.
   */
  public static final class Builder {
    private @Nullable String uri;
    private @Nullable RedisClient client;
    private @Nullable StatefulRedisConnection<String, byte[]> connection;
    private Duration redisTimeout = Duration.ofMillis(500);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration timeout = Duration.ofDays(1);
    private Duration jitterAllowance = Duration.ofMillis(100);
    private Duration retryRedisAfter = Duration.ofSeconds(5);
    private int fallbackInstances;
    private Clock clock = Clock.systemUTC();
    private final Settings given = new Settings();

    private Builder() {}

    /**
     * Redis at {@code uri} ({@code redis://host:port}, {@code rediss://...}, with a password or
     * database if needed), through a Lettuce client made here and closed by {@link
     * RedisRateLimiters#close()}. Its commands and connecting time out after {@link #redisTimeout},
     * and fail at once while the connection is down. It connects on first use.
     *
     * @throws NullPointerException if {@code uri} is null
     * @throws IllegalStateException if a Redis connection was already given
     */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri");
      once("redis").uri = uri;
      return this;
    }

    /**
     * Redis through the user's Lettuce {@code client}, with its options: a connection is opened on
     * first use and closed by {@link RedisRateLimiters#close()}; the client stays the user's.
     *
     * @throws NullPointerException if {@code client} is null
     * @throws IllegalStateException if a Redis connection was already given
     */
    public Builder client(RedisClient client) {
      Objects.requireNonNull(client, "client");
      once("redis").client = client;
      return this;
    }

    /**
     * Redis through the user's Lettuce {@code connection}, with string keys and byte-array values
     * ({@code client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))}); it stays
     * the user's, never closed here.
     *
     * @throws NullPointerException if {@code connection} is null
     * @throws IllegalStateException if a Redis connection was already given
     */
    public Builder connection(StatefulRedisConnection<String, byte[]> connection) {
      Objects.requireNonNull(connection, "connection");
      once("redis").connection = connection;
      return this;
    }

    /**
     * The longest one reservation waits for Redis once connected, all its round trips together:
     * longer, and Redis counts as not answering. Default 500 ms.
     *
     * @throws NullPointerException if {@code redisTimeout} is null
     * @throws IllegalArgumentException if {@code redisTimeout} is not positive
     * @throws IllegalStateException if called before
     */
    public Builder redisTimeout(Duration redisTimeout) {
      positive(redisTimeout, "redisTimeout");
      once("redisTimeout").redisTimeout = redisTimeout;
      return this;
    }

    /**
     * For a {@link #uri}: the longest the first call waits to connect to Redis, handshake included,
     * and the first after each failure: longer, and Redis counts as not answering. Default 5 s; a
     * cold JVM's first connection can take most of a second.
     *
     * @throws NullPointerException if {@code connectTimeout} is null
     * @throws IllegalArgumentException if {@code connectTimeout} is not positive
     * @throws IllegalStateException if called before
     */
    public Builder connectTimeout(Duration connectTimeout) {
      positive(connectTimeout, "connectTimeout");
      once("connectTimeout").connectTimeout = connectTimeout;
      return this;
    }

    /**
     * The limiters' timeout: the longest wait a reservation may return; a longer one reserves
     * nothing and returns -1. Default one day, as the fetcher's own limiters: a call waiting for
     * its permit is a timer, not a thread.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if called before
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
      }
      once("timeout").timeout = timeout;
      return this;
    }

    /**
     * How much later than Redis counted it a permit may be used without the server seeing calls
     * closer together than the quota allows; default 100 ms. Of each quota's burst, this much (in
     * permits, at the quota's rate) is kept back, or half an interval if that is more: at 300 a
     * minute nothing more than the fetcher's own limiter keeps, at 20 a second two permits.
     *
     * <p>Why: a permit Redis hands out at once is used a round trip after the bucket counted it,
     * longer when many processes draw at once and Bucket4j retries its compare-and-swap, while a
     * permit that had to wait is used on time. So after a quiet spell, the calls that waited close
     * in on the burst before them. Three processes drawing from one quota in a Redis on loopback
     * saw answers in 4 to 12 ms, up to 75 ms for the first draws of a burst; on a machine whose two
     * cores were busy, the first call of a burst reached the server up to 40 ms later than the
     * bucket counted it. A Redis further away needs more. Zero keeps back half an interval only, as
     * the fetcher's own limiter does.
     *
     * @throws NullPointerException if {@code jitterAllowance} is null
     * @throws IllegalArgumentException if {@code jitterAllowance} is negative
     * @throws IllegalStateException if called before
     */
    public Builder jitterAllowance(Duration jitterAllowance) {
      Objects.requireNonNull(jitterAllowance, "jitterAllowance");
      if (jitterAllowance.isNegative()) {
        throw new IllegalArgumentException(
            "jitterAllowance must not be negative, was " + jitterAllowance);
      }
      once("jitterAllowance").jitterAllowance = jitterAllowance;
      return this;
    }

    /**
     * While Redis does not answer, hand out permits from a bucket of each limiter's own at {@code
     * 1/instances} of its quota (of its rate and, rounded down, its burst), instead of failing
     * closed: for {@code instances} processes sharing the quota, together they stay within it.
     *
     * @throws IllegalArgumentException if {@code instances} is less than 1
     * @throws IllegalStateException if called before
     */
    public Builder fallBackToLocalShare(int instances) {
      if (instances < 1) {
        throw new IllegalArgumentException("instances must be at least 1, was " + instances);
      }
      once("fallBackToLocalShare").fallbackInstances = instances;
      return this;
    }

    /**
     * How long to leave Redis alone after a call to it failed; then one call tries it again.
     * Default 5 s.
     *
     * @throws NullPointerException if {@code retryRedisAfter} is null
     * @throws IllegalArgumentException if {@code retryRedisAfter} is not positive
     * @throws IllegalStateException if called before
     */
    public Builder retryRedisAfter(Duration retryRedisAfter) {
      positive(retryRedisAfter, "retryRedisAfter");
      once("retryRedisAfter").retryRedisAfter = retryRedisAfter;
      return this;
    }

    /**
     * The wall clock the buckets are computed with; every process sharing a quota must read the
     * same time. Default {@link Clock#systemUTC()}. A test hook: tests drive time with a clock of
     * their own.
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
     * The rate limiters. Opens no connection: the first reservation does.
     *
     * @throws IllegalStateException if no Redis connection was given
     * @throws IllegalArgumentException if the URI is not a Redis URI
     */
    public RedisRateLimiters build() {
      RedisConnection redis;
      if (uri != null) {
        redis = RedisConnection.of(uri, redisTimeout, connectTimeout);
      } else if (client != null) {
        redis = RedisConnection.of(client);
      } else if (connection != null) {
        redis = RedisConnection.of(connection);
      } else {
        throw new IllegalStateException("no Redis: call uri, client or connection");
      }
      return new RedisRateLimiters(this, redis);
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
