package dev.batchfetch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What every server run as a child process on loopback needs: its binary, a free port, a stop that
 * cannot hang, and its temporary directory removed. Used by {@link NginxProcess} and by the Redis
 * module's tests. Stateless and thread-safe.
 */
public final class ChildProcesses {
  private ChildProcesses() {}

  /**
   * The executable {@code usual}, or else the first executable {@code name} on the PATH, if any.
   */
  public static Optional<Path> binary(String name, Path usual) {
    Stream<Path> onPath =
        Stream.of(System.getenv().getOrDefault("PATH", "").split(":", -1))
            .filter(entry -> !entry.isEmpty())
            .map(entry -> Path.of(entry, name));
    return Stream.concat(Stream.of(usual), onPath).filter(Files::isExecutable).findFirst();
  }

  /**
   * A loopback port free now; another process may take it before the caller binds it, so callers
   * retry on "Address already in use".
   */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Stops {@code process}: SIGTERM, then SIGKILL if it has not exited within {@code grace}.
   * Idempotent.
   */
  public static void stop(Process process, Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** Deletes {@code dir} and everything in it. */
  public static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      List<Path> deepestFirst =
          files.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
      for (Path file : deepestFirst) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
