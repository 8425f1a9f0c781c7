package dev.batchfetch.flink;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.RateLimit;
import dev.batchfetch.redis.RedisRateLimiters;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link FetchFunction} needs to know, shipped with the job to every task manager: the job's
 * quota, where it is shared, the latency to size Flink's Async I/O for, the timeout of each
 * element, and anything else the fetcher should do.
 *
 * <pre>{@code
 * FetchSettings settings =
 *     FetchSettings.builder(RateLimit.perSecond(100).withBurst(10)) // the whole job's quota
 *         .redis("redis://redis.internal:6379", "api") // shared by every subtask through Redis
 *         .latency(Duration.ofMillis(300)) // the server's usual response time
 *         .fetcher(builder -> builder.userAgent("crawler/1.0").readTimeout(Duration.ofSeconds(10)))
 *         .build();
 * }</pre>
 *
 * <h2>The quota</h2>
 *
 * The {@link RateLimit} is the quota of the whole job, all subtasks together. With {@link
 * Builder#redis}, it lives in Redis as a {@code batchfetch-redis} quota, drawn from by every task
 * manager's fetcher. Without, it is split evenly over the operator's parallelism: each subtask adds
 * {@code 1/parallelism} of the rate and (rounded down) of the burst to the fetcher of its task
 * manager, so the task managers together stay within it, however the subtasks are spread.
 *
 * <h2>Sizing Flink's Async I/O</h2>
 *
 * {@link #capacity(int)} is how many elements one subtask keeps in flight (Async I/O's {@code
 * capacity}), for a quota of {@code r} calls a second, a burst {@code b}, a parallelism {@code p}
 * and a latency {@code L} in seconds:
 *
 * <pre>
 * capacity = ceil(2 * (r / p) * L) + ceil(b / p) + 2
 * </pre>
 *
 * By Little's law a subtask needs {@code (r / p) * L} calls in flight to keep its share of the
 * quota busy; twice that leaves room for slower answers and for subtasks that take more than their
 * share of a Redis quota; its share of the burst lets the burst be used; and two more keep one call
 * waiting for its permit beside one in flight, even for a quota of a few calls a minute. More would
 * not go faster (the quota sets the pace) and would only reserve permits further ahead, which a
 * failure throws away. {@link Builder#capacity} sets it by hand.
 *
 * <p>Each task manager's fetcher keeps at most {@code capacity * parallelism} calls in flight, so
 * that it never limits the subtasks it serves, however many they are.
 *
 * <p>Immutable and thread-safe. Two functions made from one {@code FetchSettings} object share
 * their fetcher in each task manager; settings built twice, even alike, do not.
 */
public final class FetchSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String id;
  private final long permits;
  private final Duration period;
  private final long burst;
  private final @Nullable String redisUri;
  private final @Nullable String quotaName;
  private final @Nullable SerializableConsumer<RedisRateLimiters.Builder> redisOptions;
  private final @Nullable SerializableConsumer<BatchFetcher.Builder> fetcherOptions;
  private final Duration latency;
  private final Duration timeout;
  private final int capacity;

  private FetchSettings(Builder builder) {
    this.id = UUID.randomUUID().toString();
    this.permits = builder.quota.permits();
    this.period = builder.quota.period();
    this.burst = builder.quota.burst();
    this.redisUri = builder.redisUri;
    this.quotaName = builder.quotaName;
    this.redisOptions = builder.redisOptions;
    this.fetcherOptions = builder.fetcherOptions;
    this.latency = builder.latency;
    this.timeout = builder.timeout;
    this.capacity = builder.capacity;
  }

  /**
   * A builder for a job whose calls, all subtasks together, stay within {@code quota}. An unlimited
   * quota needs a {@link Builder#capacity}.
   *
   * @throws NullPointerException if {@code quota} is null
   */
  public static Builder builder(RateLimit quota) {
    return new Builder(Objects.requireNonNull(quota, "quota"));
  }

  /** The quota of the whole job, all subtasks together. */
  public RateLimit quota() {
    return new RateLimit(permits, period, burst);
  }

  /** Whether the quota is shared through Redis rather than split over the parallelism. */
  public boolean sharedThroughRedis() {
    return redisUri != null;
  }

  /** The expected response time the capacity is sized for. */
  public Duration latency() {
    return latency;
  }

  /**
   * How long one element may take, waiting for its permit and retries included: Flink's Async I/O
   * timeout. The fetcher ends an element still running at nine tenths of it as {@link
   * dev.batchfetch.ErrorKind#TIMEOUT}; Flink's timeout is the backstop, and ends as a result of
   * that kind too.
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * How many elements one subtask keeps in flight, for an operator of {@code parallelism} subtasks:
   * the capacity set by hand, or the one computed from the quota (see the class documentation).
   *
   * @throws IllegalArgumentException if {@code parallelism} is less than 1
   */
  public int capacity(int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
    }
    if (capacity > 0) {
      return capacity;
    }
    double perSecond = permits / seconds(period);
    double inFlight = 2 * (perSecond / parallelism) * seconds(latency);
    long burstShare = (burst + parallelism - 1) / parallelism;
    double total = Math.ceil(inFlight) + burstShare + 2;
    return (int) Math.min(Integer.MAX_VALUE, total);
  }

  /** The most calls in flight in one task manager's fetcher: every subtask's capacity. */
  int fetcherWidth(int parallelism) {
    return (int) Math.min(100_000, (long) capacity(parallelism) * parallelism);
  }

  /** Identifies these settings across their serialized copies. */
  String id() {
    return id;
  }

  @Nullable String redisUri() {
    return redisUri;
  }

  @Nullable String quotaName() {
    return quotaName;
  }

  @Nullable SerializableConsumer<RedisRateLimiters.Builder> redisOptions() {
    return redisOptions;
  }

  @Nullable SerializableConsumer<BatchFetcher.Builder> fetcherOptions() {
    return fetcherOptions;
  }

  private static double seconds(Duration duration) {
    return duration.getSeconds() + duration.getNano() / 1e9;
  }

  @Override
  public String toString() {
    return "FetchSettings{"
        + quota()
        + (redisUri == null ? ", split over the parallelism" : ", quota " + quotaName + " in Redis")
        + ", latency "
        + latency.toMillis()
        + " ms, timeout "
        + timeout.toSeconds()
        + " s"
        + (capacity > 0 ? ", capacity " + capacity : "")
        + "}";
  }

  /**
   * Configures {@link FetchSettings}. Each setter may be called once. Not thread-safe; {@link
   * #build()} copies the configuration.
   */
  public static final class Builder {
    private final RateLimit quota;
    private @Nullable String redisUri;
    private @Nullable String quotaName;
    private @Nullable SerializableConsumer<RedisRateLimiters.Builder> redisOptions;
    private @Nullable SerializableConsumer<BatchFetcher.Builder> fetcherOptions;
    private Duration latency = Duration.ofMillis(500);
    private Duration timeout = Duration.ofMinutes(5);
    private int capacity;
    private final java.util.Set<String> set = new java.util.HashSet<>();

    private Builder(RateLimit quota) {
      this.quota = quota;
    }

    /**
     * Shares the quota through Redis at {@code uri} under the name {@code quota}, as {@code
     * RedisRateLimiters.builder().uri(uri).build().limiter(quota, rate)} does: one connection per
     * task manager. By default a limiter fails closed when Redis does not answer: the element's
     * result is {@link dev.batchfetch.ErrorKind#QUOTA_UNAVAILABLE}, nothing is sent.
     *
     * @param uri {@code redis://host:port}, as {@link RedisRateLimiters.Builder#uri}
     * @param quota the quota's name: letters, digits, {@code .}, {@code _} and {@code -}
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if called before
     */
    public Builder redis(String uri, String quota) {
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(quota, "quota");
      once("redis");
      this.redisUri = uri;
      this.quotaName = quota;
      return this;
    }

    /**
     * More settings of the {@link RedisRateLimiters} each task manager builds, after its {@code
     * uri}: {@code r -> r.fallBackToLocalShare(taskManagers).redisTimeout(...)}. It must not give
     * Redis again ({@code uri}, {@code client}, {@code connection}).
     *
     * @throws NullPointerException if {@code options} is null
     * @throws IllegalStateException if called before
     */
    public Builder redisOptions(SerializableConsumer<RedisRateLimiters.Builder> options) {
      Objects.requireNonNull(options, "options");
      once("redisOptions");
      this.redisOptions = options;
      return this;
    }

    /**
     * More settings of the fetcher each task manager builds: timeouts, headers, retries, body
     * limits. The quota, the policy and the batch timeout are set after it, from these settings.
     *
     * @throws NullPointerException if {@code options} is null
     * @throws IllegalStateException if called before
     */
    public Builder fetcher(SerializableConsumer<BatchFetcher.Builder> options) {
      Objects.requireNonNull(options, "options");
      once("fetcher");
      this.fetcherOptions = options;
      return this;
    }

    /**
     * The server's usual response time, which sizes the {@linkplain FetchSettings#capacity
     * capacity}; default 500 ms.
     *
     * @throws NullPointerException if {@code latency} is null
     * @throws IllegalArgumentException if {@code latency} is negative
     * @throws IllegalStateException if called before
     */
    public Builder latency(Duration latency) {
      Objects.requireNonNull(latency, "latency");
      if (latency.isNegative()) {
        throw new IllegalArgumentException("latency must not be negative, was " + latency);
      }
      once("latency");
      this.latency = latency;
      return this;
    }

    /**
     * How long one element may take, waiting for its permit and retries included; default 5
     * minutes. See {@link FetchSettings#timeout()}.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is shorter than 10 ms
     * @throws IllegalStateException if called before
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofMillis(10)) < 0) {
        throw new IllegalArgumentException("timeout must be at least 10 ms, was " + timeout);
      }
      once("timeout");
      this.timeout = timeout;
      return this;
    }

    /**
     * How many elements one subtask keeps in flight, in place of the computed {@linkplain
     * FetchSettings#capacity capacity}.
     *
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     * @throws IllegalStateException if called before
     */
    public Builder capacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
      }
      once("capacity");
      this.capacity = capacity;
      return this;
    }

    /**
     * The settings.
     *
     * @throws IllegalStateException if the quota is unlimited and no capacity was set, or Redis
     *     options were given without Redis
     */
    public FetchSettings build() {
      if (quota.isUnlimited() && capacity == 0) {
        throw new IllegalStateException("an unlimited quota sizes nothing: set a capacity");
      }
      if (redisOptions != null && redisUri == null) {
        throw new IllegalStateException("redisOptions without redis(uri, quota)");
      }
      return new FetchSettings(this);
    }

    private void once(String setting) {
      if (!set.add(setting)) {
        throw new IllegalStateException(setting + " was already set");
      }
    }
  }
}
