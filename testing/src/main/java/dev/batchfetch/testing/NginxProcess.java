package dev.batchfetch.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * The distribution's nginx as a child process, on a free loopback port, with a configuration of the
 * caller's in a temporary directory: a server this project did not write. Used by core's {@code
 * NginxQuotaTest} and by the benchmarks; free of JUnit, so that both can.
 *
 * <p>The caller writes what goes inside {@code http { ... }}, given the directory and the port; it
 * must {@code listen 127.0.0.1:<port>} and answer {@code GET /ready} with 204, which is how {@link
 * #start} knows that a worker serves. The rest (no daemon, one worker, pid file, logs and temporary
 * paths in the directory) is written here.
 *
 * <p>Not thread-safe.
 */
public final class NginxProcess implements AutoCloseable {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final Duration STARTUP = Duration.ofSeconds(10);
  private static final Duration SHUTDOWN = Duration.ofSeconds(10);

  private final Path dir;
  private final Process process;
  private final int port;

  private NginxProcess(Path dir, Process process, int port) {
    this.dir = dir;
    this.process = process;
    this.port = port;
  }

  /** The nginx binary: {@code /usr/sbin/nginx} or the first on the PATH, if any. */
  public static Optional<Path> binary() {
    return ChildProcesses.binary("nginx", Path.of("/usr/sbin/nginx"));
  }

  /**
   * Starts nginx and returns once it answers {@code /ready}.
   *
   * @param http the contents of the {@code http} block, given the directory and the port
   * @throws IllegalStateException if nginx exits or does not answer within ten seconds
   */
  public static NginxProcess start(Path binary, BiFunction<Path, Integer, String> http)
      throws IOException {
    Path dir = Files.createTempDirectory("batchfetch-nginx");
    for (int attempt = 1; ; attempt++) {
      int port = ChildProcesses.freePort();
      Path conf = dir.resolve("nginx.conf");
      Files.writeString(conf, config(dir, http.apply(dir, port)));
      Process process =
          new ProcessBuilder(
                  binary.toString(),
                  "-p",
                  dir + "/",
                  "-c",
                  conf.toString(),
                  "-e",
                  dir.resolve("error.log").toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("console.log").toFile())
              .start();
      NginxProcess nginx = new NginxProcess(dir, process, port);
      long deadline = System.nanoTime() + STARTUP.toNanos();
      while (process.isAlive() && !nginx.answers() && System.nanoTime() - deadline < 0) {
        pause();
      }
      if (process.isAlive()) {
        if (nginx.answers()) {
          return nginx;
        }
        String errors = nginx.errors();
        nginx.close();
        throw new IllegalStateException("nginx did not answer within " + STARTUP + ":\n" + errors);
      }
      String errors = nginx.errors();
      if (attempt < 3 && errors.contains("Address already in use")) {
        continue; // another process took the free port between our check and nginx's bind
      }
      nginx.close();
      throw new IllegalStateException("nginx exited with " + process.exitValue() + ":\n" + errors);
    }
  }

  public int port() {
    return port;
  }

  /** The directory of the configuration and the logs. */
  public Path dir() {
    return dir;
  }

  /** Stops nginx (SIGTERM, its fast shutdown), so that its logs are complete. Idempotent. */
  public void stop() {
    List<ProcessHandle> workers = process.descendants().collect(Collectors.toList());
    ChildProcesses.stop(process, SHUTDOWN);
    workers.forEach(ProcessHandle::destroyForcibly); // normally exited with their master
  }

  /** Stops nginx and deletes its directory. */
  @Override
  public void close() {
    stop();
    ChildProcesses.deleteTree(dir);
  }

  private static String config(Path dir, String http) {
    // Workers switch to user nobody when nginx runs as root; they need none of the files in the
    // directory (logs are opened by the master), so that is fine.
    return String.join(
        "\n",
        "daemon off;",
        "master_process on;",
        "worker_processes 1;",
        "pid " + dir.resolve("nginx.pid") + ";",
        "error_log " + dir.resolve("error.log") + " notice;",
        "events { worker_connections 4096; }",
        "http {",
        "  client_body_temp_path " + dir.resolve("client_body") + ";",
        "  proxy_temp_path " + dir.resolve("proxy") + ";",
        "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
        "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
        "  scgi_temp_path " + dir.resolve("scgi") + ";",
        http,
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
    StringBuilder text = new StringBuilder();
    for (String name : List.of("error.log", "console.log")) {
      Path file = dir.resolve(name);
      try {
        if (Files.exists(file)) {
          text.append(Files.readString(file, UTF_8));
        }
      } catch (IOException e) {
        text.append(e).append('\n');
      }
    }
    return text.toString();
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while nginx started", e);
    }
  }
}
