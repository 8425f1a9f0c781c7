package dev.batchfetch;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of batchfetch on the class or module path, such as {@code 0.1.0}: what a fetcher's
 * default {@code User-Agent} says ({@code batchfetch/0.1.0}), and what to log or report when
 * something goes wrong. {@code dev} when run from a build tree without Maven's resources.
 *
 * <p>Thread-safe: the version is read once.
 */
public final class Version {
  /** The version, read from the jar the first time this class is used. */
  public static final String VERSION = read();

  private Version() {}

  private static String read() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        String version = properties.getProperty("version");
        if (version != null && !version.isBlank() && !version.startsWith("${")) {
          return version;
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // fall through: a version is a nicety, never a reason to fail
    }
    String manifest = Version.class.getPackage().getImplementationVersion();
    return manifest == null ? "dev" : manifest;
  }
}
