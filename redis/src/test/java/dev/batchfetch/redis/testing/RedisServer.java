package dev.batchfetch.redis.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import dev.batchfetch.testing.ChildProcesses;
import dev.batchfetch.testing.Installed;
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
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real redis-server, run as a child process on a free loopback port with a configuration of its
 * own: no persistence ({@code --save ''}, {@code --appendonly no}), a temporary directory. It can
 * be stopped and started again on the same port, as an outage would.
 *
 * <p>Without redis-server installed, {@link #start()} skips the test, or fails it when the
 * environment variable {@code BATCHFETCH_REQUIRE_REDIS} is set (CI sets it).
 */
public final class RedisServer implements AutoCloseable {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final Duration STARTUP = Duration.ofSeconds(10);
  private static final Duration SHUTDOWN = Duration.ofSeconds(10);

  private final Path binary;
  private final Path dir;
  private final int port;
  private Process process;

  private RedisServer(Path binary, Path dir, int port, Process process) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** Starts redis-server on a free loopback port and returns once it answers PING. */
  public static RedisServer start() throws IOException {
    Path binary = binary();
    Path dir = Files.createTempDirectory("batchfetch-redis");
    for (int attempt = 1; ; attempt++) {
      int port = ChildProcesses.freePort();
      RedisServer redis = new RedisServer(binary, dir, port, launch(binary, dir, port));
      if (redis.awaitReady()) {
        return redis;
      }
      String log = redis.log();
      if (attempt < 3 && log.contains("Address already in use")) {
        continue; // another process took the free port between our check and redis' bind
      }
      redis.close();
      throw new IllegalStateException("redis-server exited:\n" + log);
    }
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Stops the server (SIGTERM, then SIGKILL); its data, kept in memory only, is gone. */
  public void stop() {
    ChildProcesses.stop(process, SHUTDOWN);
  }

  /** Starts a stopped server again on the same port, empty, and returns once it answers. */
  public void restart() throws IOException {
    stop();
    process = launch(binary, dir, port);
    if (!awaitReady()) {
      throw new IllegalStateException("redis-server did not start again:\n" + log());
    }
  }

  /** Stops the server and deletes its directory. */
  @Override
  public void close() {
    stop();
    ChildProcesses.deleteTree(dir);
  }

  private static Process launch(Path binary, Path dir, int port) throws IOException {
    List<String> command =
        List.of(
            binary.toString(),
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir.toString(),
            "--daemonize",
            "no",
            "--loglevel",
            "warning");
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
        .start();
  }

  /** Whether the server came up; false if it exited first. */
  private boolean awaitReady() {
    try {
      await("redis-server to answer on port " + port)
          .atMost(STARTUP)
          .pollInterval(Duration.ofMillis(20))
          .until(() -> !process.isAlive() || answers());
    } catch (ConditionTimeoutException e) {
      String log = log();
      stop();
      throw new IllegalStateException(
          "redis-server did not answer within " + STARTUP + ":\n" + log, e);
    }
    return process.isAlive();
  }

  private boolean answers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LOOPBACK, port), 1_000);
      socket.setSoTimeout(1_000);
      socket.getOutputStream().write("PING\r\n".getBytes(US_ASCII));
      String reply =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII)).readLine();
      return "+PONG".equals(reply);
    } catch (IOException e) {
      return false;
    }
  }

  private String log() {
    try {
      Path log = dir.resolve("redis.log");
      return Files.exists(log) ? Files.readString(log, UTF_8) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static Path binary() {
    return Installed.orSkip(
        ChildProcesses.binary("redis-server", Path.of("/usr/bin/redis-server")),
        "redis-server",
        "the shared-quota tests against a real Redis",
        "BATCHFETCH_REQUIRE_REDIS");
  }
}
