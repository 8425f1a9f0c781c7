package dev.batchfetch.micrometer;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ErrorKind;
import dev.batchfetch.FetchListener;
import dev.batchfetch.RateLimit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters of the fetchers it listens to, kept from their {@linkplain FetchListener
 * events}:
 *
 * <pre>{@code
 * BatchFetcher fetcher = BatchFetcher.builder()
 *     .eventListener(BatchFetcherMetrics.of(registry))
 *     .build();
 * }</pre>
 *
 * <table>
 *   <caption>The meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what it counts</th></tr>
 *   <tr><td>{@code batchfetch.requests}</td><td>counter</td><td>{@code status}, {@code error}</td>
 *       <td>inputs that got their result: one per input, after its last attempt</td></tr>
 *   <tr><td>{@code batchfetch.attempts}</td><td>counter</td>
 *       <td>{@code host}, {@code status}, {@code error}</td><td>calls that ended</td></tr>
 *   <tr><td>{@code batchfetch.retries}</td><td>counter</td><td>{@code host}, {@code reason}</td>
 *       <td>failed attempts scheduled to be tried again; {@code reason} is {@code retry-after}
 *       or {@code backoff}</td></tr>
 *   <tr><td>{@code batchfetch.too.many.requests}</td><td>counter</td><td>{@code host}</td>
 *       <td>429 answers</td></tr>
 *   <tr><td>{@code batchfetch.pauses}</td><td>counter</td><td>{@code host}, {@code reason}</td>
 *       <td>times a host was paused; {@code reason}: {@code retry-after}, {@code quota-headers},
 *       {@code backoff}, {@code blocked}</td></tr>
 *   <tr><td>{@code batchfetch.permit.wait}</td><td>timer</td><td>{@code host}, {@code limiter}</td>
 *       <td>waits for a rate-limit permit, of the {@code global} or the {@code host} limiter
 *       (calls that got one at once are not recorded)</td></tr>
 *   <tr><td>{@code batchfetch.call.duration}</td><td>timer</td>
 *       <td>{@code host}, {@code status}, {@code error}</td><td>each call, from its start to
 *       its body read</td></tr>
 *   <tr><td>{@code batchfetch.calls.in.flight}</td><td>gauge</td><td></td>
 *       <td>calls on the wire now</td></tr>
 *   <tr><td>{@code batchfetch.calls.queued}</td><td>gauge</td><td></td><td>inputs taken and
 *       waiting for a permit, a slot, a pause or a retry's backoff, as of the running batches'
 *       last progress report (every {@link BatchFetcher.Builder#progressInterval})</td></tr>
 *   <tr><td>{@code batchfetch.batches.running}</td><td>gauge</td><td></td>
 *       <td>batches started and not ended</td></tr>
 *   <tr><td>{@code batchfetch.hosts.paused}</td><td>gauge</td><td></td>
 *       <td>hosts paused now</td></tr>
 *   <tr><td>{@code batchfetch.host.rate}</td><td>gauge</td><td>{@code host}</td>
 *       <td>a host's rate in calls per second, once the fetcher changed it (the server announced
 *       a quota, or the fetcher learned it); only with host tags on</td></tr>
 * </table>
 *
 * <p>{@code status} is the class of the HTTP status ({@code 2xx} ... {@code 5xx}) or {@code none}
 * when no response came; {@code error} the {@link ErrorKind} in lower case, or {@code none}.
 *
 * <h2>Why is the host tag {@code all}?</h2>
 *
 * A batch over 100,000 hosts would make 100,000 time series of every meter tagged by host, which no
 * registry survives. So host tags are off by default: every meter's {@code host} tag is {@code
 * all}. {@link Builder#hostTags(int) hostTags(n)} names the first {@code n} hosts met, and tags the
 * others {@code other}: the number of series stays bounded whatever the input.
 *
 * <p>Thread-safe: one instance may listen to several fetchers (give each its own {@code tags} to
 * tell them apart in the registry).
 */
public final class BatchFetcherMetrics extends FetchListener {
  static final String ALL = "all";
  static final String OTHER = "other";
  private static final int MAX_OTHERS_REMEMBERED = 10_000;
  private static final int MAX_PAUSES_REMEMBERED = 10_000;

  private final MeterRegistry registry;
  private final Tags tags;
  private final int maxHostTags;
  private final Map<String, String> hostTags = new ConcurrentHashMap<>();
  private int namedHosts; // guarded by hostTags
  private final Map<Key, Counter> counters = new ConcurrentHashMap<>();
  private final Map<Key, Timer> timers = new ConcurrentHashMap<>();
  private final AtomicLong inFlight = new AtomicLong();
  private final Map<String, Long> queuedByBatch = new ConcurrentHashMap<>();
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> pausedUntil = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> ratesMilli = new ConcurrentHashMap<>();

  /** A meter's name and the values of its tags, the key of the meters made so far. */
  private record Key(String name, String a, String b, String c) {}

  private BatchFetcherMetrics(Builder builder) {
    this.registry = builder.registry;
    this.tags = builder.tags;
    this.maxHostTags = builder.maxHostTags;
    Gauge.builder("batchfetch.calls.in.flight", inFlight, AtomicLong::get)
        .tags(tags)
        .strongReference(true) // the meters outlive a fetcher closed, and this listener
        .description("Calls on the wire now")
        .register(registry);
    Gauge.builder("batchfetch.calls.queued", queuedByBatch, BatchFetcherMetrics::sum)
        .tags(tags)
        .strongReference(true) // the meters outlive a fetcher closed, and this listener
        .description("Inputs taken and waiting for a permit, a slot, a pause or a backoff")
        .register(registry);
    Gauge.builder("batchfetch.batches.running", running, Set::size)
        .tags(tags)
        .strongReference(true) // the meters outlive a fetcher closed, and this listener
        .description("Batches started and not ended")
        .register(registry);
    Gauge.builder("batchfetch.hosts.paused", pausedUntil, BatchFetcherMetrics::pausedNow)
        .tags(tags)
        .strongReference(true) // the meters outlive a fetcher closed, and this listener
        .description("Hosts paused now, by their server or for a backoff")
        .register(registry);
  }

  /**
   * Meters in {@code registry}, with host tags off.
   *
   * @throws NullPointerException if {@code registry} is null
   */
  public static BatchFetcherMetrics of(MeterRegistry registry) {
    return builder(registry).build();
  }

  /**
   * A builder of meters in {@code registry}.
   *
   * @throws NullPointerException if {@code registry} is null
   */
  public static Builder builder(MeterRegistry registry) {
    return new Builder(Objects.requireNonNull(registry, "registry"));
  }

  /** Configures {@link BatchFetcherMetrics}. Not thread-safe. */
  public static final class Builder {
    private final MeterRegistry registry;
    private Tags tags = Tags.empty();
    private int maxHostTags;

    private Builder(MeterRegistry registry) {
      this.registry = registry;
    }

    /**
     * Tags every meter carries, for example the name of the fetcher or of the service it calls.
     *
     * @throws NullPointerException if {@code tags} is null
     */
    public Builder tags(Iterable<Tag> tags) {
      this.tags = this.tags.and(Objects.requireNonNull(tags, "tags"));
      return this;
    }

    /**
     * Tags meters with the first {@code maxHosts} hosts met ({@code "name:port"}), and the others
     * with {@code other}; default 0: every host is {@code all}.
     *
     * @throws IllegalArgumentException if {@code maxHosts} is negative
     */
    public Builder hostTags(int maxHosts) {
      if (maxHosts < 0) {
        throw new IllegalArgumentException("maxHosts must not be negative, was " + maxHosts);
      }
      this.maxHostTags = maxHosts;
      return this;
    }

    /** The meters, registered now. */
    public BatchFetcherMetrics build() {
      return new BatchFetcherMetrics(this);
    }
  }

  @Override
  public void batchStarted(BatchStarted e) {
    running.add(batchKey(e.fetcher(), e.batch()));
  }

  @Override
  public void batchProgress(BatchProgress e) {
    String key = batchKey(e.fetcher(), e.progress().batch());
    if (running.contains(key)) {
      queuedByBatch.put(key, e.progress().waiting());
    }
  }

  @Override
  public void batchEnded(BatchEnded e) {
    String key = batchKey(e.fetcher(), e.batch());
    running.remove(key);
    queuedByBatch.remove(key);
  }

  @Override
  public void attemptStarted(AttemptStarted e) {
    inFlight.incrementAndGet();
  }

  @Override
  public void attemptEnded(AttemptEnded e) {
    inFlight.decrementAndGet();
    String host = host(e.host());
    String status = statusClass(e.status());
    String error = error(e.error());
    counter("batchfetch.attempts", "Calls that ended", host, status, error).increment();
    timer("batchfetch.call.duration", "Calls, from start to body read", host, status, error)
        .record(e.duration());
    if (e.status() == 429) {
      counter("batchfetch.too.many.requests", "429 answers", host, "", "").increment();
    }
  }

  @Override
  public void inputEnded(InputEnded e) {
    counter(
            "batchfetch.requests",
            "Inputs that got their result",
            statusClass(e.result().status()),
            error(e.result().error()),
            "")
        .increment();
  }

  @Override
  public void retryScheduled(RetryScheduled e) {
    String reason = e.serverAsked() ? "retry-after" : "backoff";
    counter("batchfetch.retries", "Attempts to be tried again", host(e.host()), reason, "")
        .increment();
  }

  @Override
  public void permitWaited(PermitWaited e) {
    String limiter = e.limiter().name().toLowerCase(Locale.ROOT);
    timer("batchfetch.permit.wait", "Waits for a rate-limit permit", host(e.host()), limiter, "")
        .record(e.waited());
  }

  @Override
  public void hostPaused(HostPaused e) {
    String reason =
        e.blocked() ? "blocked" : e.reason().name().toLowerCase(Locale.ROOT).replace('_', '-');
    counter("batchfetch.pauses", "Hosts paused", host(e.host()), reason, "").increment();
    long until = System.nanoTime() + e.pause().toNanos();
    if (pausedUntil.size() >= MAX_PAUSES_REMEMBERED) {
      pausedNow(pausedUntil); // nobody reads the gauge: forget the pauses that ended
    }
    pausedUntil.merge(e.fetcher() + " " + e.host(), until, Math::max);
  }

  @Override
  public void rateChanged(RateChanged e) {
    String host = host(e.host());
    if (host.equals(ALL) || host.equals(OTHER)) {
      return; // a rate of "all" hosts means nothing
    }
    long milli = milliPerSecond(e.to());
    ratesMilli
        .computeIfAbsent(
            host,
            h -> {
              AtomicLong rate = new AtomicLong(milli);
              Gauge.builder("batchfetch.host.rate", rate, r -> r.get() / 1000.0)
                  .tags(tags.and("host", h))
                  .strongReference(true)
                  .description("A host's rate, in calls per second, once the fetcher changed it")
                  .baseUnit("calls/s")
                  .register(registry);
              return rate;
            })
        .set(milli);
  }

  @Override
  public void hostEvicted(HostEvicted e) {
    pausedUntil.remove(e.fetcher() + " " + e.host());
  }

  /** The tag of {@code host}: itself, {@code other} past the cap, or {@code all} when off. */
  String host(String host) {
    if (maxHostTags == 0) {
      return ALL;
    }
    String tag = hostTags.get(host);
    if (tag != null) {
      return tag;
    }
    synchronized (hostTags) {
      String again = hostTags.get(host);
      if (again != null) {
        return again;
      }
      boolean named = namedHosts < maxHostTags;
      if (named) {
        namedHosts++;
        hostTags.put(host, host);
        return host;
      }
      if (hostTags.size() < maxHostTags + MAX_OTHERS_REMEMBERED) {
        hostTags.put(host, OTHER); // a cache: forgetting one only costs a lock next time
      }
      return OTHER;
    }
  }

  private Counter counter(String name, String description, String a, String b, String c) {
    return counters.computeIfAbsent(
        new Key(name, a, b, c),
        k -> Counter.builder(name).description(description).tags(tagsOf(k)).register(registry));
  }

  private Timer timer(String name, String description, String a, String b, String c) {
    return timers.computeIfAbsent(
        new Key(name, a, b, c),
        k -> Timer.builder(name).description(description).tags(tagsOf(k)).register(registry));
  }

  /** The tags of a meter's key, by its name. */
  private Tags tagsOf(Key key) {
    Function<String[], Tags> pairs = kv -> tags.and(Tags.of(kv));
    return switch (key.name()) {
      case "batchfetch.requests" -> pairs.apply(new String[] {"status", key.a(), "error", key.b()});
      case "batchfetch.attempts", "batchfetch.call.duration" ->
          pairs.apply(new String[] {"host", key.a(), "status", key.b(), "error", key.c()});
      case "batchfetch.retries", "batchfetch.pauses" ->
          pairs.apply(new String[] {"host", key.a(), "reason", key.b()});
      case "batchfetch.permit.wait" ->
          pairs.apply(new String[] {"host", key.a(), "limiter", key.b()});
      default -> pairs.apply(new String[] {"host", key.a()});
    };
  }

  static String statusClass(int status) {
    return status < 100 || status > 599 ? "none" : (status / 100) + "xx";
  }

  private static String error(@Nullable ErrorKind error) {
    return error == null ? "none" : error.name().toLowerCase(Locale.ROOT);
  }

  private static String batchKey(String fetcher, long batch) {
    return fetcher + " " + batch;
  }

  private static double sum(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Hosts whose pause has not ended; the ended ones are forgotten on the way. */
  private static double pausedNow(Map<String, Long> until) {
    long now = System.nanoTime();
    until.values().removeIf(end -> end - now <= 0);
    return until.size();
  }

  private static long milliPerSecond(RateLimit rate) {
    if (rate.isUnlimited()) {
      return Long.MAX_VALUE;
    }
    Duration interval = rate.interval();
    return Math.round(TimeUnit.SECONDS.toNanos(1) * 1000.0 / Math.max(1, interval.toNanos()));
  }
}
