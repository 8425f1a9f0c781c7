package dev.batchfetch.examples.docs;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.BatchSummary;
import dev.batchfetch.BodyHandling;
import dev.batchfetch.ErrorKind;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.Progress;
import dev.batchfetch.RateLimit;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** The snippets of {@code docs/large-batches.md}. Stateless. */
public final class LargeBatches {
  private LargeBatches() {}

  /** Fetches every URL of {@code urlFile}, one per line, and writes one line per result. */
  public static BatchSummary fromFile(Path urlFile, Path resultFile) throws IOException {
    // [START stream]
    BatchSummary summary;
    try (BatchFetcher fetcher = BatchFetcher.async(64);
        Stream<String> urls = Files.lines(urlFile);
        BufferedWriter out = Files.newBufferedWriter(resultFile)) {
      summary =
          fetcher
              .fetchEach(
                  urls, // read as the fetcher goes, never held in a list
                  result -> { // one at a time, as each completes
                    try {
                      out.write(result.index() + " " + result.url() + " " + result.status());
                      out.newLine();
                    } catch (IOException e) {
                      throw new UncheckedIOException(e); // stops the batch, fails the future
                    }
                  })
              .join();
    }
    System.out.printf(
        "%d results, %d failed (%d timed out)%n",
        summary.results(), summary.failed(), summary.failures(ErrorKind.TIMEOUT));
    // [END stream]
    return summary;
  }

  /** Writes the body of every success into {@code dir}, none of them held in memory. */
  public static BatchSummary bodiesToFiles(List<String> urls, Path dir) {
    // [START bodies]
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .policy(ExecutionPolicy.async(32))
            .maxBodySize(1L << 30) // up to 1 GiB each; longer ones fail as BODY_TOO_LARGE
            .inputTimeout(Duration.ofMinutes(30)) // a large download takes its time
            .bodyHandling(
                BodyHandling.stream(
                    (response, body) -> {
                      Path file = dir.resolve(response.index() + ".body");
                      try (OutputStream out = Files.newOutputStream(file)) {
                        body.transferTo(out);
                      }
                    }))
            .build()) {
      return fetcher.fetchEach(urls, result -> {}).join();
    }
    // [END bodies]
  }

  /** Fetches {@code urls} at 50 a second with a progress line a second and a deadline. */
  public static List<Progress> withProgress(List<String> urls) {
    List<Progress> seen = new CopyOnWriteArrayList<>();
    // [START progress]
    try (BatchFetcher fetcher =
        BatchFetcher.builder()
            .rateLimit(RateLimit.perSecond(50))
            .batchTimeout(Duration.ofHours(1)) // what is not done by then ends as TIMEOUT
            .progressInterval(Duration.ofSeconds(1))
            .progressListener(
                p -> {
                  seen.add(p); // (for the test of this page)
                  System.err.printf(
                      Locale.ROOT,
                      "%d/%d done, %d failed, %d in flight, %d waiting, %.1f/s, %s left%n",
                      p.finished(),
                      p.total(),
                      p.failed(),
                      p.inFlight(),
                      p.waiting(),
                      p.resultsPerSecond(),
                      p.estimatedTimeLeft());
                })
            .build()) {
      fetcher.fetchAll(urls).join();
    }
    // [END progress]
    return seen;
  }
}
