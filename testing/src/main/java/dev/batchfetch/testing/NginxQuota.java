package dev.batchfetch.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * nginx enforcing {@code limit_req rate=<r>r/s [burst=<b>] nodelay} under {@code /quota/id/}, with
 * or without the constant {@code Retry-After: 1} that {@code add_header} sends on its 429s, and
 * logging every answer there: a real server for quota discovery's acceptance runs (core's tests and
 * the benchmarks' "unknown quota"). Free of JUnit. Not thread-safe.
 */
public final class NginxQuota implements AutoCloseable {
  /** The path the quota applies to; anything under it is answered (a 1x1 GIF) or refused. */
  public static final String PATH = "/quota/id/";

  private final NginxProcess process;

  private NginxQuota(NginxProcess process) {
    this.process = process;
  }

  /** Starts nginx with the quota, and returns once it answers HTTP. */
  public static NginxQuota start(Path binary, long ratePerSecond, long burst, boolean retryAfter)
      throws IOException {
    return new NginxQuota(
        NginxProcess.start(
            binary, (dir, port) -> http(dir, port, ratePerSecond, burst, retryAfter)));
  }

  /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
  public String base() {
    return "http://127.0.0.1:" + process.port();
  }

  /**
   * Stops nginx, so that its log is complete, and returns every answer under {@link #PATH}: when
   * (nanoseconds of the wall clock, to nginx's millisecond) and its status, in time order.
   */
  public List<QuotaServer.Arrival> stopAndRead() {
    process.stop();
    Path log = process.dir().resolve("quota.log");
    if (!Files.exists(log)) {
      return List.of();
    }
    try (Stream<String> lines = Files.lines(log, UTF_8)) {
      return lines
          .map(line -> line.split(" ", 2))
          .map(
              f ->
                  new QuotaServer.Arrival(
                      Math.round(Double.parseDouble(f[0]) * 1e9), Integer.parseInt(f[1])))
          .sorted(Comparator.comparingLong(QuotaServer.Arrival::nanos))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops nginx and deletes its directory. */
  @Override
  public void close() {
    process.close();
  }

  private static String http(
      Path dir, int port, long ratePerSecond, long burst, boolean retryAfter) {
    String log = "access_log " + dir.resolve("quota.log") + " quota;";
    return String.join(
        "\n",
        "  access_log off;",
        "  keepalive_requests 10000000;",
        "  limit_req_zone quota zone=quota:1m rate=" + ratePerSecond + "r/s;",
        "  limit_req_status 429;",
        "  log_format quota '$msec $status';",
        "  server {",
        "    listen 127.0.0.1:" + port + " backlog=1024;",
        "    location " + PATH + " {",
        "      " + log,
        "      limit_req zone=quota" + (burst == 0 ? "" : " burst=" + burst) + " nodelay;",
        retryAfter ? "      error_page 429 @limited;" : "",
        // empty_gif, not return: return ends the request before limit_req runs.
        "      empty_gif;",
        "    }",
        retryAfter
            ? "    location @limited { " + log + " add_header Retry-After 1 always; return 429; }"
            : "",
        "    location = /ready { return 204; }",
        "  }");
  }
}
