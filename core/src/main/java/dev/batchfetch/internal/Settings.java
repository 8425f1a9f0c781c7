package dev.batchfetch.internal;

import dev.batchfetch.BodyHandling;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.FetchListener;
import dev.batchfetch.HostLimits;
import dev.batchfetch.Progress;
import dev.batchfetch.QuotaStore;
import dev.batchfetch.RateLimit;
import dev.batchfetch.RetryPolicy;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of one fetcher, as its builder leaves it: set by name through {@link Builder},
 * copied by {@link Builder#build()}, immutable after. The public builder checks the arguments; this
 * class only holds them. Thread-safe once built.
 */
public final class Settings {
  /** The default of {@link #inputTimeout()}. */
  public static final Duration DEFAULT_INPUT_TIMEOUT = Duration.ofMinutes(2);

  private final ExecutionPolicy policy;
  private final List<RateLimit> rateLimits;
  private final @Nullable RateLimiter rateLimiter;
  private final @Nullable Function<String, ? extends @Nullable RateLimiter> hostRateLimiters;
  private final int maxConcurrent;
  private final HostLimits perHost;
  private final Map<String, HostLimits> hostOverrides;
  private final RetryPolicy retry;
  private final Duration maxRetryAfter;
  private final boolean adaptToServerQuota;
  private final boolean quotaDiscovery;
  private final @Nullable QuotaStore quotaStore;
  private final int maxPending;
  private final Timeouts timeouts;
  private final Map<String, String> defaultHeaders;
  private final @Nullable OkHttpClient client;
  private final BodyHandling bodyHandling;
  private final long maxBodySize;
  private final long maxBodyBytesInFlight;
  private final Duration inputTimeout;
  private final @Nullable Duration batchTimeout;
  private final @Nullable Consumer<? super Progress> progressListener;
  private final Duration progressInterval;
  private final @Nullable Hooks hooks;
  private final Observing observing;

  /**
   * OkHttp's timeouts; null keeps the base client's.
   *
   * @param connect how long to wait for a connection
   * @param read how long a read may wait for data
   * @param write how long a write may wait
   * @param call how long one whole call may take
   */
  public record Timeouts(
      @Nullable Duration connect,
      @Nullable Duration read,
      @Nullable Duration write,
      @Nullable Duration call) {}

  private Settings(Builder b) {
    this.policy = b.policy;
    this.rateLimits = b.rateLimits;
    this.rateLimiter = b.rateLimiter;
    this.hostRateLimiters = b.hostRateLimiters;
    this.maxConcurrent = Math.min(b.maxConcurrent, b.policy.width());
    this.perHost = b.perHost;
    this.hostOverrides = Map.copyOf(b.hostOverrides);
    this.retry = b.retry;
    this.maxRetryAfter = b.maxRetryAfter;
    this.adaptToServerQuota = b.adaptToServerQuota;
    this.quotaDiscovery = b.quotaDiscovery;
    this.quotaStore = b.quotaStore;
    this.maxPending = b.maxPending;
    this.timeouts = new Timeouts(b.connectTimeout, b.readTimeout, b.writeTimeout, b.callTimeout);
    this.defaultHeaders = Map.copyOf(b.defaultHeaders);
    this.client = b.client;
    this.bodyHandling = b.bodyHandling;
    this.maxBodySize = b.maxBodySize;
    this.maxBodyBytesInFlight = b.maxBodyBytesInFlight;
    this.inputTimeout = b.inputTimeout;
    this.batchTimeout = b.batchTimeout;
    this.progressListener = b.progressListener;
    this.progressInterval = b.progressInterval;
    this.hooks = b.hooks;
    this.observing = new Observing(List.copyOf(b.listeners), b.callFactory, b.callContext);
  }

  public static Builder builder() {
    return new Builder();
  }

  public ExecutionPolicy policy() {
    return policy;
  }

  /**
   * The global quota, the first of {@link #rateLimits()}; unlimited when a user's limiter sets the
   * pace.
   */
  public RateLimit rateLimit() {
    return rateLimits.get(0);
  }

  /** The global quota: one rate limit or several, each kept; never empty. */
  public List<RateLimit> rateLimits() {
    return rateLimits;
  }

  /** The user's limiter for every call, in place of {@link #rateLimit()}, or null. */
  public @Nullable RateLimiter rateLimiter() {
    return rateLimiter;
  }

  /** The user's limiter for a host key, or null for none. */
  public @Nullable Function<String, ? extends @Nullable RateLimiter> hostRateLimiters() {
    return hostRateLimiters;
  }

  /** The global bulkhead's size, capped by the policy's width. */
  public int maxConcurrent() {
    return maxConcurrent;
  }

  public HostLimits perHost() {
    return perHost;
  }

  /** Limits by host name or {@code name:port}, keys in lower case. */
  public Map<String, HostLimits> hostOverrides() {
    return hostOverrides;
  }

  public RetryPolicy retry() {
    return retry;
  }

  public Duration maxRetryAfter() {
    return maxRetryAfter;
  }

  public boolean adaptToServerQuota() {
    return adaptToServerQuota;
  }

  /** Whether each host learns the rate its server accepts. */
  public boolean quotaDiscovery() {
    return quotaDiscovery;
  }

  /** Where discovery keeps what it learns; null for a store of the fetcher's own, in memory. */
  public @Nullable QuotaStore quotaStore() {
    return quotaStore;
  }

  /** How many inputs may wait in host queues ahead of the calls in flight. */
  public int maxPending() {
    return maxPending;
  }

  public Timeouts timeouts() {
    return timeouts;
  }

  public Map<String, String> defaultHeaders() {
    return defaultHeaders;
  }

  /** The user's client to derive from, or null for a fresh one. */
  public @Nullable OkHttpClient client() {
    return client;
  }

  public BodyHandling bodyHandling() {
    return bodyHandling;
  }

  /** The most body bytes read per response. */
  public long maxBodySize() {
    return maxBodySize;
  }

  /** The most body bytes all calls hold in memory at once; -1 for the JVM's shared budget. */
  public long maxBodyBytesInFlight() {
    return maxBodyBytesInFlight;
  }

  /** The most time one input spends in flight over all its attempts; zero for no limit. */
  public Duration inputTimeout() {
    return inputTimeout;
  }

  /** Each batch's deadline from its submission, or null for none. */
  public @Nullable Duration batchTimeout() {
    return batchTimeout;
  }

  public @Nullable Consumer<? super Progress> progressListener() {
    return progressListener;
  }

  public Duration progressInterval() {
    return progressInterval;
  }

  /** A test's ticker, scheduler and transport in place of the real ones, or null. */
  public @Nullable Hooks hooks() {
    return hooks;
  }

  /** Who hears the fetcher's events, and how its calls are made and traced. */
  public Observing observing() {
    return observing;
  }

  /**
   * What observes a fetcher (issue 13's settings, kept apart from the others).
   *
   * @param listeners the user's event listeners, in the order given
   * @param callFactory makes the fetcher's call factory from its client, or null to use the client
   * @param callContext captures the caller's context when a batch is submitted, as an executor that
   *     runs a task in it; null for none
   */
  public record Observing(
      List<FetchListener> listeners,
      @Nullable Function<? super OkHttpClient, ? extends Call.Factory> callFactory,
      @Nullable UnaryOperator<Executor> callContext) {}

  /** Sets the configuration by name. Not thread-safe. */
  public static final class Builder {
    private ExecutionPolicy policy = ExecutionPolicy.async(64);
    private List<RateLimit> rateLimits = List.of(RateLimit.unlimited());
    private @Nullable RateLimiter rateLimiter;
    private @Nullable Function<String, ? extends @Nullable RateLimiter> hostRateLimiters;
    private int maxConcurrent = Integer.MAX_VALUE;
    private HostLimits perHost = HostLimits.unlimited();
    private final Map<String, HostLimits> hostOverrides = new LinkedHashMap<>();
    private RetryPolicy retry = RetryPolicy.defaults();
    private Duration maxRetryAfter = Duration.ofMinutes(5);
    private boolean adaptToServerQuota;
    private boolean quotaDiscovery = true;
    private @Nullable QuotaStore quotaStore;
    private int maxPending = 10_000;
    private @Nullable Duration connectTimeout;
    private @Nullable Duration readTimeout;
    private @Nullable Duration writeTimeout;
    private @Nullable Duration callTimeout;
    private final Map<String, String> defaultHeaders = new LinkedHashMap<>();
    private @Nullable OkHttpClient client;
    private BodyHandling bodyHandling = BodyHandling.keep();
    private long maxBodySize = 8L * 1024 * 1024;
    private long maxBodyBytesInFlight = -1;
    private Duration inputTimeout = DEFAULT_INPUT_TIMEOUT;
    private @Nullable Duration batchTimeout;
    private @Nullable Consumer<? super Progress> progressListener;
    private Duration progressInterval = Duration.ofSeconds(1);
    private @Nullable Hooks hooks;
    private final List<FetchListener> listeners = new ArrayList<>();
    private @Nullable Function<? super OkHttpClient, ? extends Call.Factory> callFactory;
    private @Nullable UnaryOperator<Executor> callContext;

    private Builder() {}

    public Builder policy(ExecutionPolicy policy) {
      this.policy = policy;
      return this;
    }

    public ExecutionPolicy policy() {
      return policy;
    }

    /** The global quota; forgets a user's limiter. */
    public Builder rateLimit(RateLimit rateLimit) {
      return rateLimits(List.of(rateLimit));
    }

    /** The global quota in several limits, each kept; forgets a user's limiter. */
    public Builder rateLimits(List<RateLimit> rateLimits) {
      this.rateLimits = List.copyOf(rateLimits);
      this.rateLimiter = null;
      return this;
    }

    /** A user's limiter for every call; the quota becomes unlimited. */
    public Builder rateLimiter(RateLimiter rateLimiter) {
      this.rateLimiter = rateLimiter;
      this.rateLimits = List.of(RateLimit.unlimited());
      return this;
    }

    public Builder hostRateLimiters(Function<String, ? extends @Nullable RateLimiter> limiters) {
      this.hostRateLimiters = limiters;
      return this;
    }

    public Builder maxConcurrent(int maxConcurrent) {
      this.maxConcurrent = maxConcurrent;
      return this;
    }

    public Builder perHost(HostLimits perHost) {
      this.perHost = perHost;
      return this;
    }

    /** Limits for {@code host}, a lower-case name or {@code name:port}. */
    public Builder host(String host, HostLimits limits) {
      hostOverrides.put(host, limits);
      return this;
    }

    public Builder retry(RetryPolicy retry) {
      this.retry = retry;
      return this;
    }

    public Builder maxRetryAfter(Duration maxRetryAfter) {
      this.maxRetryAfter = maxRetryAfter;
      return this;
    }

    public Builder adaptToServerQuota(boolean adapt) {
      this.adaptToServerQuota = adapt;
      return this;
    }

    public Builder quotaDiscovery(boolean discover) {
      this.quotaDiscovery = discover;
      return this;
    }

    public Builder quotaStore(QuotaStore store) {
      this.quotaStore = store;
      return this;
    }

    public Builder maxPending(int maxPending) {
      this.maxPending = maxPending;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    public Builder readTimeout(Duration timeout) {
      this.readTimeout = timeout;
      return this;
    }

    public Builder writeTimeout(Duration timeout) {
      this.writeTimeout = timeout;
      return this;
    }

    public Builder callTimeout(Duration timeout) {
      this.callTimeout = timeout;
      return this;
    }

    /** A header for every request, replacing a default of the same name in any case. */
    public Builder defaultHeader(String name, String value) {
      defaultHeaders.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
      defaultHeaders.put(name, value);
      return this;
    }

    public Builder client(OkHttpClient client) {
      this.client = client;
      return this;
    }

    public Builder bodyHandling(BodyHandling handling) {
      this.bodyHandling = handling;
      return this;
    }

    public Builder maxBodySize(long bytes) {
      this.maxBodySize = bytes;
      return this;
    }

    public Builder maxBodyBytesInFlight(long bytes) {
      this.maxBodyBytesInFlight = bytes;
      return this;
    }

    public Builder inputTimeout(Duration timeout) {
      this.inputTimeout = timeout;
      return this;
    }

    public Builder batchTimeout(Duration timeout) {
      this.batchTimeout = timeout;
      return this;
    }

    public Builder progressListener(Consumer<? super Progress> listener) {
      this.progressListener = listener;
      return this;
    }

    public Builder progressInterval(Duration interval) {
      this.progressInterval = interval;
      return this;
    }

    /** For tests: a manual ticker, scheduler and transport in place of the real ones. */
    public Builder hooks(Hooks hooks) {
      this.hooks = Objects.requireNonNull(hooks, "hooks");
      return this;
    }

    public Builder eventListener(FetchListener listener) {
      listeners.add(listener);
      return this;
    }

    public Builder callFactory(Function<? super OkHttpClient, ? extends Call.Factory> factory) {
      this.callFactory = factory;
      return this;
    }

    public Builder callContext(UnaryOperator<Executor> capture) {
      this.callContext = capture;
      return this;
    }

    /** The configuration as it is now; this builder may go on changing. */
    public Settings build() {
      return new Settings(this);
    }
  }
}
