package dev.batchfetch.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.batchfetch.testing.NginxProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The distribution's nginx, started by core's {@link NginxProcess}: the second opinion beside the
 * {@link LoopbackServer}, and the quota-limited server of W4.
 *
 * <ul>
 *   <li>{@code /id/{n}} answers {@code n} ({@code return 200 $1}), unlimited, not logged.
 *   <li>{@code /quota/id/{n}} passes {@code limit_req rate=<r>r/s burst=<b> nodelay} and answers
 *       200 with a 1x1 GIF ({@code return} would end the request before {@code limit_req} runs),
 *       429 beyond the quota; each answer's status is logged, so that 429s can be counted.
 * </ul>
 *
 * <p>One worker process: the machine's other core is the client's. {@code keepalive_requests} is
 * raised from nginx's default of 1,000 so that 100,000 requests measure the clients, not
 * reconnections.
 */
final class NginxServer implements AutoCloseable {
  private final NginxProcess process;

  private NginxServer(NginxProcess process) {
    this.process = process;
  }

  /** Starts nginx and returns once it answers HTTP. */
  static NginxServer start(Path binary, long ratePerSecond, long burst) throws IOException {
    return new NginxServer(
        NginxProcess.start(binary, (dir, port) -> http(dir, port, ratePerSecond, burst)));
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  String base() {
    return "http://127.0.0.1:" + process.port();
  }

  /** How many 429s nginx has logged under {@code /quota/id/} so far. */
  long tooManyCount() {
    Path log = process.dir().resolve("quota.log");
    if (!Files.exists(log)) {
      return 0;
    }
    try (Stream<String> lines = Files.lines(log, UTF_8)) {
      return lines.filter(line -> line.equals("429")).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops nginx and deletes its directory. */
  @Override
  public void close() {
    process.close();
  }

  private static String http(Path dir, int port, long ratePerSecond, long burst) {
    return String.join(
        "\n",
        "  access_log off;",
        "  keepalive_requests 10000000;",
        "  limit_req_zone quota zone=quota:1m rate=" + ratePerSecond + "r/s;",
        "  limit_req_status 429;",
        "  log_format status '$status';",
        "  server {",
        "    listen 127.0.0.1:" + port + " backlog=1024;",
        "    location ~ ^/id/([0-9]+)$ { default_type text/plain; return 200 $1; }",
        "    location /quota/id/ {",
        "      access_log " + dir.resolve("quota.log") + " status;",
        "      limit_req zone=quota burst=" + burst + " nodelay;",
        "      empty_gif;",
        "    }",
        "    location = /ready { return 204; }",
        "  }");
  }
}
