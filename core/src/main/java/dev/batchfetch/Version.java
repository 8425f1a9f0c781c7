package dev.batchfetch;

/**
 * The library's version, as Maven wrote it into the jar's manifest, or {@code dev} in a build tree.
 */
final class Version {
  static final String VERSION = version();

  private Version() {}

  private static String version() {
    String version = Version.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
