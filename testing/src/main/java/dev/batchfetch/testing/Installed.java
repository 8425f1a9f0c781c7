package dev.batchfetch.testing;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A server a test needs from the distribution's packages: without it the test is skipped, or fails
 * where CI says the server is required. Used by tests only (it needs JUnit), not by the benchmarks.
 */
public final class Installed {
  private Installed() {}

  /**
   * {@code binary} if present; else skips the calling test, or fails it when the environment
   * variable {@code requiredBy} is set (CI sets it).
   *
   * @param debianPackage the package that installs the binary, for the message
   * @param tests what the binary is needed for, for the message
   */
  public static Path orSkip(
      Optional<Path> binary, String debianPackage, String tests, String requiredBy) {
    return binary.orElseGet(
        () -> {
          String message =
              debianPackage
                  + " is not installed; install it (Debian: apt-get install "
                  + debianPackage
                  + ") to run "
                  + tests;
          if (System.getenv(requiredBy) != null) {
            return Assertions.fail(message + " (required: " + requiredBy + " is set)");
          }
          return Assumptions.abort(message);
        });
  }
}
