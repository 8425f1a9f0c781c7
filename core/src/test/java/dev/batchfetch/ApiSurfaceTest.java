package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.testing.ApiDump;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The public API, checked against the dump committed in {@code core/api/batchfetch-core.api}: a
 * change to it fails this test until the dump is rewritten, so that it shows in review. To accept a
 * change, run {@code mvn -pl core test -Dtest=ApiSurfaceTest -Dbatchfetch.api.update=true} and
 * commit the dump with the change.
 */
class ApiSurfaceTest {
  private static final Path DUMP = Path.of("api", "batchfetch-core.api");

  @Test
  void thePublicApiIsTheOneCommitted() throws IOException {
    String actual = ApiDump.of(BatchFetcher.class, "dev.batchfetch");
    if (Boolean.getBoolean("batchfetch.api.update")) {
      Files.createDirectories(DUMP.getParent());
      Files.writeString(DUMP, actual, StandardCharsets.UTF_8);
    }
    assertThat(DUMP).as("the committed API dump").exists();
    assertThat(actual)
        .as(
            "the public API differs from %s: review the change, then rewrite the dump with"
                + " -Dbatchfetch.api.update=true and commit it",
            DUMP.toAbsolutePath())
        .isEqualTo(Files.readString(DUMP, StandardCharsets.UTF_8));
  }
}
