package dev.batchfetch;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test if a throwable reached the uncaught-exception handler on a thread of a fetcher
 * ({@code batchfetch-N-...}) or of OkHttp: what "nothing escapes to an uncaught handler" forbids.
 * Installs a default handler before each test and puts the previous one back after it. Register it
 * before {@link NoLeaks}, so that the fetchers are closed before it looks.
 */
final class Uncaught implements BeforeEachCallback, AfterEachCallback {
  /** A throwable that escaped, and the thread it escaped on. */
  record Escaped(String thread, Throwable throwable) {
    @Override
    public String toString() {
      return thread + ": " + throwable;
    }
  }

  private final List<Escaped> escaped = new CopyOnWriteArrayList<>();
  private Thread.@Nullable UncaughtExceptionHandler previous;

  @Override
  public void beforeEach(ExtensionContext context) {
    escaped.clear();
    previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.UncaughtExceptionHandler before = previous;
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, throwable) -> {
          if (watched(thread.getName())) {
            escaped.add(new Escaped(thread.getName(), throwable));
          }
          if (before != null) {
            before.uncaughtException(thread, throwable);
          } else {
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            throwable.printStackTrace();
          }
        });
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Thread.setDefaultUncaughtExceptionHandler(previous);
    if (!escaped.isEmpty()) {
      AssertionError failure =
          new AssertionError(escaped.size() + " uncaught on fetcher threads: " + escaped);
      escaped.forEach(e -> failure.addSuppressed(e.throwable()));
      throw failure;
    }
  }

  /** What escaped so far, for a test that checks it before its end. */
  List<Escaped> escaped() {
    return List.copyOf(escaped);
  }

  private static boolean watched(String thread) {
    return thread.startsWith("batchfetch-") || thread.contains("OkHttp");
  }
}
