package dev.batchfetch;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

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
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final Duration STARTUP = Duration.ofSeconds(10);
  private static final Duration SHUTDOWN = Duration.ofSeconds(10);

  private final Path dir;
  private final Process process;
  private final int port;

  private Nginx(Path dir, Process process, int port) {
    this.dir = dir;
    this.process = process;
    this.port = port;
  }

  /**
   * Starts nginx with {@code limit_req_zone ... rate=<rate>r/s} and {@code limit_req ...
   * burst=<burst> nodelay}, and returns once it answers HTTP.
   */
  static Nginx start(int ratePerSecond, int burst) throws IOException {
    Path binary = binary();
    Path dir = Files.createTempDirectory("batchfetch-nginx");
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      Files.writeString(dir.resolve("nginx.conf"), config(dir, port, ratePerSecond, burst));
      Process process =
          new ProcessBuilder(
                  binary.toString(),
                  "-p",
                  dir + "/",
                  "-c",
                  dir.resolve("nginx.conf").toString(),
                  "-e",
                  dir.resolve("error.log").toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("console.log").toFile())
              .start();
      Nginx nginx = new Nginx(dir, process, port);
      try {
        await("nginx to answer on port " + port)
            .atMost(STARTUP)
            .pollInterval(Duration.ofMillis(20))
            .until(() -> !process.isAlive() || nginx.answers());
      } catch (ConditionTimeoutException e) {
        String errors = nginx.errors();
        nginx.close();
        throw new IllegalStateException(
            "nginx did not answer within " + STARTUP + ":\n" + errors, e);
      }
      if (process.isAlive()) {
        return nginx;
      }
      String errors = nginx.errors();
      if (attempt < 3 && errors.contains("Address already in use")) {
        continue; // another process took the free port between our check and nginx's bind
      }
      nginx.close();
      throw new IllegalStateException("nginx exited with " + process.exitValue() + ":\n" + errors);
    }
  }

  /** {@code count} URLs {@code /id/0} to {@code /id/(count-1)} under the quota. */
  List<String> ids(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> "http://127.0.0.1:" + port + "/id/" + i)
        .collect(Collectors.toList());
  }

  /**
   * Stops nginx, so that every request it answered is in its access log, and returns that log.
   * Idempotent.
   */
  AccessLog stop() {
    if (process.isAlive()) {
      List<ProcessHandle> workers = process.descendants().collect(Collectors.toList());
      process.destroy(); // SIGTERM: nginx's fast shutdown
      try {
        if (!process.waitFor(SHUTDOWN.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(SHUTDOWN.toSeconds(), TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      workers.forEach(ProcessHandle::destroyForcibly); // normally exited with their master
    }
    Path log = dir.resolve("access.log");
    try (Stream<String> lines = Files.exists(log) ? Files.lines(log, UTF_8) : Stream.empty()) {
      return new AccessLog(lines.map(Entry::parse).collect(Collectors.toList()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops nginx and deletes its directory. */
  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  private static String config(Path dir, int port, int ratePerSecond, int burst) {
    // Workers switch to user nobody when nginx runs as root; they need none of the files in the
    // directory (logs are opened by the master, empty_gif reads no file), so that is fine.
    return String.join(
        "\n",
        "daemon off;",
        "master_process on;",
        "worker_processes 1;",
        "pid " + dir.resolve("nginx.pid") + ";",
        "error_log " + dir.resolve("error.log") + " notice;",
        "events { worker_connections 1024; }",
        "http {",
        "  client_body_temp_path " + dir.resolve("client_body") + ";",
        "  proxy_temp_path " + dir.resolve("proxy") + ";",
        "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
        "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
        "  scgi_temp_path " + dir.resolve("scgi") + ";",
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
        "  }",
        "}",
        "");
  }

  /** Whether nginx's worker answers HTTP (not only whether the master accepts connections). */
  private boolean answers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LOOPBACK, port), 1_000);
      socket.setSoTimeout(1_000);
      socket.getOutputStream().write("GET /ready HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
      String status =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII)).readLine();
      return status != null && status.startsWith("HTTP/1.1 204");
    } catch (IOException e) {
      return false;
    }
  }

  private String errors() {
    try {
      Path log = dir.resolve("error.log");
      Path console = dir.resolve("console.log");
      return (Files.exists(log) ? Files.readString(log, UTF_8) : "")
          + (Files.exists(console) ? Files.readString(console, UTF_8) : "");
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
      return socket.getLocalPort();
    }
  }

  private static Path binary() {
    Stream<Path> onPath =
        Stream.of(System.getenv().getOrDefault("PATH", "").split(":", -1))
            .filter(entry -> !entry.isEmpty())
            .map(entry -> Path.of(entry, "nginx"));
    return Stream.concat(Stream.of(Path.of("/usr/sbin/nginx")), onPath)
        .filter(Files::isExecutable)
        .findFirst()
        .orElseGet(Nginx::missing);
  }

  private static Path missing() {
    String message =
        "nginx is not installed; install it (Debian: apt-get install nginx) to run the quota tests"
            + " against a real server";
    if (System.getenv("BATCHFETCH_REQUIRE_NGINX") != null) {
      return Assertions.fail(message + " (required: BATCHFETCH_REQUIRE_NGINX is set)");
    }
    return Assumptions.abort(message);
  }
}
