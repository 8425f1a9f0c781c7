package dev.batchfetch.redis.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.batchfetch.testing.Installed;
import dev.batchfetch.testing.NginxProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real nginx enforcing a quota with {@code limit_req ... burst=<burst> nodelay} under {@code
 * /id/}: 200 within it, 429 beyond. Its access log gives when each request was answered (to the
 * millisecond, wall clock) and how. Without nginx, {@link #start} skips the test, or fails it when
 * {@code BATCHFETCH_REQUIRE_NGINX} is set (CI sets it).
 */
public final class NginxQuota implements AutoCloseable {
  private final NginxProcess process;

  private NginxQuota(NginxProcess process) {
    this.process = process;
  }

  /** nginx allowing {@code ratePerSecond} requests a second, {@code burst} more at once. */
  public static NginxQuota start(int ratePerSecond, int burst) throws IOException {
    Path binary =
        Installed.orSkip(
            NginxProcess.binary(),
            "nginx",
            "the quota tests against a real server",
            "BATCHFETCH_REQUIRE_NGINX");
    return new NginxQuota(
        NginxProcess.start(
            binary,
            (dir, port) ->
                String.join(
                    "\n",
                    "  limit_req_zone quota zone=quota:1m rate=" + ratePerSecond + "r/s;",
                    "  limit_req_status 429;",
                    "  log_format quota '$msec $status $request_uri';",
                    "  access_log " + dir.resolve("access.log") + " quota;",
                    "  server {",
                    "    listen 127.0.0.1:" + port + ";",
                    "    location /id/ {",
                    "      limit_req zone=quota burst=" + burst + " nodelay;",
                    "      empty_gif;", // a content handler: `return` would skip limit_req
                    "    }",
                    "    location = /ready { access_log off; return 204; }",
                    "  }")));
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String base() {
    return "http://127.0.0.1:" + process.port();
  }

  /** What the access log holds so far, in its order. */
  public List<Entry> entries() {
    Path log = process.dir().resolve("access.log");
    try (Stream<String> lines = Files.exists(log) ? Files.lines(log, UTF_8) : Stream.empty()) {
      return lines.map(Entry::parse).collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.close();
  }

  /** One request: when it was answered (ms since the epoch), its status and URI. */
  public record Entry(long millis, int status, String uri) {
    static Entry parse(String line) {
      String[] fields = line.split(" ", 3);
      return new Entry(
          Math.round(Double.parseDouble(fields[0]) * 1000), Integer.parseInt(fields[1]), fields[2]);
    }
  }
}
