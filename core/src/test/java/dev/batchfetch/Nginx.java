package dev.batchfetch;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.batchfetch.testing.Installed;
import dev.batchfetch.testing.NginxProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A real nginx enforcing a quota with {@code limit_req}, run as a child process on a free loopback
 * port with a configuration generated in a temporary directory: a server this project did not
 * write, to hold the rate limiter to.
 *
 * <p>Under {@code /id/} it answers 200 within the quota and 429 beyond it; its access log records
 * every answer. Without nginx installed, {@link #start} skips the test, or fails it when the
 * environment variable {@code BATCHFETCH_REQUIRE_NGINX} is set (CI sets it).
 */
final class Nginx implements AutoCloseable {
  private final NginxProcess process;

  private Nginx(NginxProcess process) {
    this.process = process;
  }

  /**
   * Starts nginx with {@code limit_req_zone ... rate=<rate>r/s} and {@code limit_req ...
   * burst=<burst> nodelay}, and returns once it answers HTTP.
   */
  static Nginx start(int ratePerSecond, int burst) throws IOException {
    Path binary =
        Installed.orSkip(
            NginxProcess.binary(),
            "nginx",
            "the quota tests against a real server",
            "BATCHFETCH_REQUIRE_NGINX");
    return new Nginx(
        NginxProcess.start(binary, (dir, port) -> http(dir, port, ratePerSecond, burst)));
  }

  /** {@code count} URLs {@code /id/0} to {@code /id/(count-1)} under the quota. */
  List<String> ids(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> "http://127.0.0.1:" + process.port() + "/id/" + i)
        .collect(Collectors.toList());
  }

  /**
   * Stops nginx, so that every request it answered is in its access log, and returns that log.
   * Idempotent.
   */
  AccessLog stop() {
    process.stop();
    Path log = process.dir().resolve("access.log");
    try (Stream<String> lines = Files.exists(log) ? Files.lines(log, UTF_8) : Stream.empty()) {
      return new AccessLog(lines.map(Entry::parse).collect(Collectors.toList()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops nginx and deletes its directory. */
  @Override
  public void close() {
    process.close();
  }

  /** What nginx logged about one request: when it ended (ms since the epoch), status and URI. */
  record Entry(long millis, int status, String uri) {
    static Entry parse(String line) {
      String[] fields = line.split(" ", 3); // log_format quota '$msec $status $request_uri'
      return new Entry(
          Math.round(Double.parseDouble(fields[0]) * 1000), Integer.parseInt(fields[1]), fields[2]);
    }
  }

  /** nginx's access log, in the order it wrote it. */
  record AccessLog(List<Entry> entries) {
    long count(int status) {
      return entries.stream().filter(e -> e.status() == status).count();
    }
  }

  private static String http(Path dir, int port, int ratePerSecond, int burst) {
    return String.join(
        "\n",
        // One bucket for the whole server, whatever the client's address.
        "  limit_req_zone quota zone=quota:1m rate=" + ratePerSecond + "r/s;",
        "  limit_req_status 429;",
        "  log_format quota '$msec $status $request_uri';",
        "  access_log " + dir.resolve("access.log") + " quota;",
        "  server {",
        "    listen 127.0.0.1:" + port + ";",
        "    location /id/ {",
        "      limit_req zone=quota burst=" + burst + " nodelay;",
        // Not `return 200`: return ends the request in the rewrite phase, before limit_req (in
        // the preaccess phase) runs, so nothing would be limited. empty_gif is a content handler.
        "      empty_gif;",
        "    }",
        "    location = /ready { access_log off; return 204; }",
        "  }");
  }
}
