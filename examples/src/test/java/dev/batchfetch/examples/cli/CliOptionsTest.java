package dev.batchfetch.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.HostLimits;
import dev.batchfetch.RateLimit;
import dev.batchfetch.RetryPolicy;
import dev.batchfetch.examples.docs.Cli;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** Each option reaches the fetcher's builder. */
@Timeout(10)
class CliOptionsTest {

  @Test
  void withoutOptionsTheFetcherHasTheLibrarysDefaults() {
    try (BatchFetcher fetcher = fetcher()) {
      assertThat(fetcher.policy()).isEqualTo(ExecutionPolicy.async(64));
      assertThat(fetcher.rateLimit()).isEqualTo(RateLimit.unlimited());
      assertThat(fetcher.maxConcurrent()).isEqualTo(64);
    }
  }

  @Test
  void policyRateAndMaxConcurrentReachTheFetcher() {
    try (BatchFetcher fetcher =
        fetcher("--threads", "8", "--rate", "50/s+10", "--max-concurrent", "4")) {
      assertThat(fetcher.policy()).isEqualTo(ExecutionPolicy.pool(8));
      assertThat(fetcher.rateLimit()).isEqualTo(RateLimit.perSecond(50).withBurst(10));
      assertThat(fetcher.maxConcurrent()).isEqualTo(4);
    }
    try (BatchFetcher fetcher = fetcher("--sequential")) {
      assertThat(fetcher.policy()).isEqualTo(ExecutionPolicy.sequential());
    }
    try (BatchFetcher fetcher = fetcher("--async=16")) {
      assertThat(fetcher.policy()).isEqualTo(ExecutionPolicy.async(16));
    }
  }

  @Test
  void retriesCountAfterTheFirstAttempt() {
    assertThat(options("--retries", "4").retries.toPolicy().maxAttempts()).isEqualTo(5);
    assertThat(options("--retries", "0").retries.toPolicy().maxAttempts()).isEqualTo(1);
    assertThat(options("--no-retry").retries.toPolicy().maxAttempts()).isEqualTo(1);
    assertThat(options().retries).isNull(); // the library's default: 3 attempts
  }

  @Test
  void hostsAndHeadersAreRepeatable() {
    CliOptions options =
        options(
            "--host", "a.example=1/s", "--host=b.example:8443=2/s,3", "-H", "A: 1", "-H", "B: 2");

    assertThat(options.hosts)
        .extracting(Converters.HostOverride::host)
        .containsExactly("a.example", "b.example:8443");
    assertThat(options.headers).extracting(Converters.Header::name).containsExactly("A", "B");
  }

  @Test
  void theDocsJavaConfiguresWhatItsCommandLineDoes() {
    CliOptions options = options(Cli.COMMAND_LINE.toArray(String[]::new));

    try (BatchFetcher fromTheCommandLine = options.fetcherBuilder().build();
        BatchFetcher fromTheDocs = Cli.sameAsTheCommandLine().build()) {
      assertThat(fromTheCommandLine.policy()).isEqualTo(fromTheDocs.policy());
      assertThat(fromTheCommandLine.rateLimit()).isEqualTo(fromTheDocs.rateLimit());
      assertThat(fromTheCommandLine.maxConcurrent()).isEqualTo(fromTheDocs.maxConcurrent());
    }
    assertThat(options.hosts)
        .containsExactly(
            new Converters.HostOverride(
                "api.example.com", HostLimits.of(RateLimit.perSecond(10).withBurst(5), 2)));
    assertThat(options.perHostMaxConcurrent).isEqualTo(4);
    assertThat(options.retries.toPolicy()).isEqualTo(RetryPolicy.defaults().withMaxAttempts(5));
    assertThat(options.callTimeout).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.headers)
        .containsExactly(new Converters.Header("Accept", "application/json"));
  }

  private static CliOptions options(String... args) {
    CommandLine commandLine = new CommandLine(new CliOptions());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.parseArgs(args);
    return commandLine.getCommand();
  }

  private static BatchFetcher fetcher(String... args) {
    return options(args).fetcherBuilder().build();
  }
}
