package dev.batchfetch;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a fetcher's thread running, as OkHttp's own test rule fails a test that
 * leaks a connection. Every test closes its fetchers; {@link #closeAndCheck} also checks that no
 * connection is left in the fetcher's pool, which is what an unclosed response body would leave.
 */
final class NoLeaks implements AfterEachCallback {

  @Override
  public void afterEach(ExtensionContext context) {
    await("threads of closed fetchers to end")
        .atMost(Duration.ofSeconds(15))
        .until(() -> fetcherThreads("batchfetch-").isEmpty());
  }

  /** Live threads whose name starts with {@code prefix}, for example a fetcher's name plus "-". */
  static List<String> fetcherThreads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith(prefix))
        .sorted()
        .collect(Collectors.toList());
  }

  /**
   * Closes {@code fetcher} and checks what {@link BatchFetcher#close()} promises: no thread of it
   * alive and no connection left in its pool.
   */
  static void closeAndCheck(BatchFetcher fetcher) {
    fetcher.close();
    org.assertj.core.api.Assertions.assertThat(fetcherThreads(fetcher.name() + "-"))
        .as("threads of %s after close", fetcher.name())
        .isEmpty();
    org.assertj.core.api.Assertions.assertThat(fetcher.connectionCount())
        .as("connections of %s after close", fetcher.name())
        .isZero();
  }
}
