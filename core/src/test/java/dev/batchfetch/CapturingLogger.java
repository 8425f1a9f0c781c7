package dev.batchfetch;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * An SLF4J logger that keeps its lines, {@code "LEVEL message"}, for a test to read; every level
 * from {@code threshold} up is enabled. Thread-safe.
 */
final class CapturingLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;

  private final Level threshold;
  private final List<String> lines = new ArrayList<>();
  private final List<Throwable> thrown = new ArrayList<>();

  CapturingLogger(Level threshold) {
    this.threshold = threshold;
    this.name = "capturing";
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** The lines at {@code level} or above. */
  synchronized List<String> atLeast(Level level) {
    return lines.stream()
        .filter(
            line -> Level.valueOf(line.substring(0, line.indexOf(' '))).toInt() >= level.toInt())
        .toList();
  }

  synchronized List<Throwable> thrown() {
    return List.copyOf(thrown);
  }

  private boolean enabled(Level level) {
    return level.toInt() >= threshold.toInt();
  }

  @Override
  public boolean isTraceEnabled() {
    return enabled(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return enabled(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return enabled(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return enabled(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return enabled(Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return CapturingLogger.class.getName();
  }

  @Override
  protected synchronized void handleNormalizedLoggingCall(
      Level level, Marker marker, String message, Object[] arguments, Throwable throwable) {
    if (!enabled(level)) {
      return;
    }
    lines.add(level + " " + MessageFormatter.basicArrayFormat(message, arguments));
    if (throwable != null) {
      thrown.add(throwable);
    }
  }
}
