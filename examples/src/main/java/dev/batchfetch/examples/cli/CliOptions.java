package dev.batchfetch.examples.cli;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.HostLimits;
import dev.batchfetch.RateLimit;
import dev.batchfetch.RetryPolicy;
import dev.batchfetch.examples.cli.Converters.Header;
import dev.batchfetch.examples.cli.Converters.HostOverride;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The options of {@link FetchCli}, filled in by picocli, and the fetcher they configure. Not
 * thread-safe.
 */
final class CliOptions {
  /** The order in which results are written. */
  enum Order {
    /** The order of the input lines. */
    INPUT,
    /** The order in which the results finished. */
    COMPLETION
  }

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "FILE",
      description =
          "The URLs, one per line; blank lines and lines starting with # are skipped."
              + " Standard input when absent or -.")
  @Nullable Path input;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  @Nullable Policy policy;

  @Option(
      names = "--rate",
      paramLabel = "RATE",
      converter = Converters.Rate.class,
      description =
          "All calls together: N/s, N/min, N/h or N/d, +B for a burst of B (50/s+10). Optional: without"
              + " it, each host's rate is learned from its answers (quota discovery); with it, a"
              + " ceiling discovery never exceeds.")
  @Nullable RateLimit rate;

  @Option(
      names = "--no-quota-discovery",
      description =
          "Do not learn each host's rate: send as fast as the policy and the rates given allow,"
              + " and count a 429 as a failed attempt.")
  boolean noQuotaDiscovery;

  @Option(
      names = "--max-concurrent",
      paramLabel = "N",
      converter = Converters.Positive.class,
      description = "The most calls in flight at once, all hosts together.")
  @Nullable Integer maxConcurrent;

  @Option(
      names = "--per-host-rate",
      paramLabel = "RATE",
      converter = Converters.Rate.class,
      description = "The rate of each host on its own.")
  @Nullable RateLimit perHostRate;

  @Option(
      names = "--per-host-max-concurrent",
      paramLabel = "N",
      converter = Converters.Positive.class,
      description = "The most calls in flight to each host.")
  @Nullable Integer perHostMaxConcurrent;

  @Option(
      names = "--host",
      paramLabel = "HOST=RATE[,N]",
      converter = Converters.Host.class,
      description =
          "The limits of one host (name or name:port) instead of the per-host ones:"
              + " api.example.com=10/s,4. Repeatable.")
  List<HostOverride> hosts = new ArrayList<>();

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  @Nullable Retries retries;

  @Option(
      names = "--connect-timeout",
      paramLabel = "TIME",
      converter = Converters.Time.class,
      description = "Opening a connection: 500ms, 10s, 2min, 1h (default 10s).")
  @Nullable Duration connectTimeout;

  @Option(
      names = "--read-timeout",
      paramLabel = "TIME",
      converter = Converters.Time.class,
      description = "Each wait for data; 0 for none (default 10s).")
  @Nullable Duration readTimeout;

  @Option(
      names = "--call-timeout",
      paramLabel = "TIME",
      converter = Converters.Time.class,
      description = "One whole attempt; 0 for none (default none).")
  @Nullable Duration callTimeout;

  @Option(
      names = {"-H", "--header"},
      paramLabel = "'NAME: VALUE'",
      converter = Converters.HeaderLine.class,
      description = "A header sent with every request. Repeatable.")
  List<Header> headers = new ArrayList<>();

  @Option(
      names = {"-A", "--user-agent"},
      paramLabel = "TEXT",
      description = "The User-Agent header (default batchfetch/VERSION).")
  @Nullable String userAgent;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Where the JSON lines go (default standard output).")
  @Nullable Path output;

  @Option(names = "--order", paramLabel = "ORDER", description = "input (default) or completion.")
  Order order = Order.INPUT;

  @Option(
      names = "--bodies",
      paramLabel = "DIR",
      description = "Writes each response's body to DIR/LINE.body.")
  @Nullable Path bodies;

  @Option(
      names = "--resume",
      description =
          "Reads the --output file of an earlier run and fetches only the lines it has no result"
              + " for (by line number and URL), appending to it.")
  boolean resume;

  @Option(
      names = "--grace",
      paramLabel = "TIME",
      converter = Converters.Time.class,
      description =
          "On SIGINT or SIGTERM, how long the calls in flight may take to finish (default 5s).")
  Duration grace = Duration.ofSeconds(5);

  @Option(
      names = "--metrics",
      paramLabel = "FILE",
      description = "Writes the fetcher's meters to FILE at the end, in Prometheus' text format.")
  @Nullable Path metrics;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress on standard error.")
  boolean quiet;

  /** {@code --sequential}, {@code --threads N} or {@code --async N}: one at most. */
  static final class Policy {
    @Option(names = "--sequential", description = "One call at a time.")
    boolean sequential;

    @Option(
        names = "--threads",
        paramLabel = "N",
        converter = Converters.Positive.class,
        description = "Blocking calls on N threads.")
    @Nullable Integer threads;

    @Option(
        names = "--async",
        paramLabel = "N",
        converter = Converters.Positive.class,
        description = "Up to N asynchronous calls in flight (the default, 64).")
    @Nullable Integer async;

    ExecutionPolicy toPolicy() {
      if (threads != null) {
        return ExecutionPolicy.pool(threads);
      }
      if (async != null) {
        return ExecutionPolicy.async(async);
      }
      return ExecutionPolicy.sequential();
    }
  }

  /** {@code --retries N} or {@code --no-retry}: one at most. */
  static final class Retries {
    @Option(
        names = "--retries",
        paramLabel = "N",
        converter = Converters.NonNegative.class,
        description = "Retries after the first attempt (default 2).")
    @Nullable Integer retries;

    @Option(names = "--no-retry", description = "One attempt only; the same as --retries 0.")
    boolean none;

    RetryPolicy toPolicy() {
      if (retries == null || none) {
        return RetryPolicy.none();
      }
      return RetryPolicy.defaults().withMaxAttempts(retries + 1);
    }
  }

  /**
   * The rate these options give {@code hostKey} ({@code name:port}): its {@code --host} override,
   * by name and port or by name, else {@code --per-host-rate}, else unlimited.
   */
  RateLimit configuredRate(String hostKey) {
    String name = hostKey.substring(0, hostKey.lastIndexOf(':'));
    for (String key : List.of(hostKey, name)) {
      for (HostOverride host : hosts) {
        if (host.host().equalsIgnoreCase(key)) {
          return host.limits().rateLimit();
        }
      }
    }
    return perHostRate == null ? RateLimit.unlimited() : perHostRate;
  }

  /**
   * A builder configured with these options.
   *
   * @throws IllegalArgumentException if a value is out of the library's range, such as {@code
   *     --threads 0} or an invalid header
   */
  BatchFetcher.Builder fetcherBuilder() {
    BatchFetcher.Builder builder = BatchFetcher.builder();
    if (policy != null) {
      builder.policy(policy.toPolicy());
    }
    if (rate != null) {
      builder.rateLimit(rate);
    }
    if (noQuotaDiscovery) {
      builder.quotaDiscovery(false);
    }
    if (maxConcurrent != null) {
      builder.maxConcurrent(maxConcurrent);
    }
    if (perHostRate != null || perHostMaxConcurrent != null) {
      builder.perHost(
          new HostLimits(
              perHostRate == null ? RateLimit.unlimited() : perHostRate,
              perHostMaxConcurrent == null ? Integer.MAX_VALUE : perHostMaxConcurrent));
    }
    for (HostOverride host : hosts) {
      builder.host(host.host(), host.limits());
    }
    if (retries != null) {
      builder.retry(retries.toPolicy());
    }
    if (connectTimeout != null) {
      builder.connectTimeout(connectTimeout);
    }
    if (readTimeout != null) {
      builder.readTimeout(readTimeout);
    }
    if (callTimeout != null) {
      builder.callTimeout(callTimeout);
    }
    for (Header header : headers) {
      builder.defaultHeader(header.name(), header.value());
    }
    if (userAgent != null) {
      builder.userAgent(userAgent);
    }
    return builder;
  }
}
