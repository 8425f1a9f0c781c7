package dev.batchfetch.internal.batch;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one place the engine builds {@link Result}s, by name rather than by the position of ten
 * arguments. Not thread-safe; a builder is used once.
 */
public final class Results {
  private static final byte[] NO_BODY = new byte[0];

  private final int index;
  private final @Nullable String url;
  private int status;
  private Map<String, List<String>> headers = Map.of();
  private byte[] body = NO_BODY;
  private Duration elapsed = Duration.ZERO;
  private int attempts;
  private Duration admissionWait = Duration.ZERO;
  private @Nullable ErrorKind error;
  private @Nullable Throwable exception;

  private Results(int index, @Nullable String url) {
    this.index = index;
    this.url = url;
  }

  /** A result for input {@code index}, of {@code url}: by default unsent, with no response. */
  public static Results of(int index, @Nullable String url) {
    return new Results(index, url);
  }

  /** A result for an input that ends without being sent, of {@code kind} because of {@code e}. */
  public static Result unsent(
      int index, @Nullable String url, ErrorKind kind, @Nullable Throwable e) {
    return of(index, url).error(kind, e).build();
  }

  /** {@code result} with another error kind and exception, everything else kept. */
  public static Result withError(Result result, ErrorKind kind, @Nullable Throwable e) {
    return of(result.index(), result.url())
        .response(result.status(), result.headers(), result.body())
        .timing(result.elapsed(), result.attempts(), result.admissionWait())
        .error(kind, e)
        .build();
  }

  /** The response: its status, headers and what was kept of its body. */
  public Results response(int status, Map<String, List<String>> headers, byte[] body) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    return this;
  }

  /** How long the input took, how many attempts were sent, how long it waited for admission. */
  public Results timing(Duration elapsed, int attempts, Duration admissionWait) {
    this.elapsed = elapsed;
    this.attempts = attempts;
    this.admissionWait = admissionWait;
    return this;
  }

  /** Why the result is not a success; null for none. */
  public Results error(@Nullable ErrorKind error, @Nullable Throwable exception) {
    this.error = error;
    this.exception = exception;
    return this;
  }

  public Result build() {
    return new Result(
        index, url, status, headers, body, elapsed, attempts, admissionWait, error, exception);
  }
}
