package dev.batchfetch.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/** The Java shown in README.md and docs/ is the Java that compiles here, word for word. */
@Timeout(30)
class DocsSnippetsTest {
  private static final Path ROOT = Snippets.root();

  @TestFactory
  Stream<DynamicTest> everySnippetIsTheCodeOfItsRegion() throws IOException {
    return snippets().stream()
        .map(
            snippet ->
                DynamicTest.dynamicTest(
                    snippet.toString(),
                    () -> {
                      Path source = ROOT.resolve(snippet.source());
                      assertThat(source).isRegularFile();
                      assertThat(snippet.text())
                          .as("%s, fenced in %s", snippet, snippet.page())
                          .isEqualTo(Snippets.region(source, snippet.region()));
                    }));
  }

  @Test
  void everyPageShowsCompiledCode() throws IOException {
    for (Path page : pages()) {
      assertThat(Snippets.of(page)).as("snippets of %s", page).isNotEmpty();
    }
  }

  @Test
  void everySnippetLivesInTheDocsPackage() throws IOException {
    assertThat(snippets())
        .extracting(Snippets.Snippet::source)
        .allSatisfy(
            source ->
                assertThat(source)
                    .startsWith("examples/src/main/java/dev/batchfetch/examples/docs/"));
  }

  private static List<Snippets.Snippet> snippets() throws IOException {
    List<Snippets.Snippet> snippets = new ArrayList<>();
    for (Path page : pages()) {
      snippets.addAll(Snippets.of(page));
    }
    return snippets;
  }

  private static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }
}
