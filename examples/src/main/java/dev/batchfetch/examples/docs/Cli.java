package dev.batchfetch.examples.docs;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.HostLimits;
import dev.batchfetch.RateLimit;
import dev.batchfetch.RetryPolicy;
import java.time.Duration;
import java.util.List;

/** The snippet of {@code docs/cli.md}. Stateless. */
public final class Cli {
  /** The command line the snippet spells out in Java, as its arguments. */
  public static final List<String> COMMAND_LINE =
      List.of(
          "--async",
          "32",
          "--rate",
          "300/min",
          "--max-concurrent",
          "8",
          "--per-host-max-concurrent",
          "4",
          "--host",
          "api.example.com=10/s+5,2",
          "--retries",
          "4",
          "--call-timeout",
          "30s",
          "-H",
          "Accept: application/json",
          "urls.txt");

  private Cli() {}

  /** The builder of the fetcher that {@link #COMMAND_LINE} configures. */
  public static BatchFetcher.Builder sameAsTheCommandLine() {
    // [START builder]
    // java -jar batchfetch-cli.jar --async 32 --rate 300/min --max-concurrent 8 \
    //     --per-host-max-concurrent 4 --host api.example.com=10/s+5,2 --retries 4 \
    //     --call-timeout 30s -H 'Accept: application/json' urls.txt
    BatchFetcher.Builder builder =
        BatchFetcher.builder()
            .policy(ExecutionPolicy.async(32))
            .rateLimit(RateLimit.perMinute(300))
            .maxConcurrent(8)
            .perHost(HostLimits.of(RateLimit.unlimited(), 4))
            .host("api.example.com", HostLimits.of(RateLimit.perSecond(10).withBurst(5), 2))
            .retry(RetryPolicy.defaults().withMaxAttempts(5)) // the first attempt and 4 retries
            .callTimeout(Duration.ofSeconds(30))
            .defaultHeader("Accept", "application/json");
    // [END builder]
    return builder;
  }
}
