package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes the fetchers a test made and fails the test if any of them leaves a thread running or a
 * connection in its pool (what an unclosed response body would leave), as OkHttp's own test rule
 * fails a test that leaks a connection. Register it with {@code @RegisterExtension} and pass every
 * fetcher through {@link #track}.
 */
final class NoLeaks implements AfterEachCallback {
  private final List<BatchFetcher> fetchers = new CopyOnWriteArrayList<>();

  /** Returns {@code fetcher}, to be closed and checked after the test. */
  BatchFetcher track(BatchFetcher fetcher) {
    fetchers.add(fetcher);
    return fetcher;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    try {
      // All closed before any is checked: fetchers without a client of their own share the JVM's
      // pool, whose connections in use cannot be told apart by fetcher, so a fetcher checked while
      // another of the test's still unwinds a cancelled call would be charged with its connection.
      for (BatchFetcher fetcher : fetchers) {
        fetcher.close();
      }
      for (BatchFetcher fetcher : fetchers) {
        closeAndCheck(fetcher);
      }
    } finally {
      fetchers.clear();
    }
    // The JVM's shared threads stay a few seconds for the next fetcher; none may still run a
    // closed fetcher's work, under that fetcher's name.
    await("threads of closed fetchers to end")
        .atMost(Duration.ofSeconds(5))
        .until(() -> fetcherThreads("batchfetch-").stream().allMatch(NoLeaks::shared));
  }

  private static boolean shared(String thread) {
    return thread.startsWith("batchfetch-shared-");
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
   * Closes {@code fetcher} and checks what {@link BatchFetcher#close()} promises: no thread runs
   * its work any more, and it holds no connection (one an unclosed response body would keep in use,
   * or an idle one in a pool of its own).
   */
  static void closeAndCheck(BatchFetcher fetcher) {
    fetcher.close();
    assertThat(fetcher.activeThreads())
        .as("threads running %s after close", fetcher.name())
        .isZero();
    assertThat(fetcherThreads(fetcher.name() + "-"))
        .as("threads of %s after close", fetcher.name())
        .isEmpty();
    assertThat(fetcher.connectionsHeld())
        .as("connections of %s after close", fetcher.name())
        .isZero();
    assertThat(fetcher.isTerminated()).as("%s terminated", fetcher.name()).isTrue();
  }
}
