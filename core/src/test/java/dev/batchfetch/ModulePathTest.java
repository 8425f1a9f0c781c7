package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: the library as a named module. A small application module that {@code requires
 * dev.batchfetch} is compiled and run, in a JVM of its own, on the module path made of core's
 * classes and its dependencies' jars: the design card's call works there (it used to fail at {@code
 * build()} with {@code NoClassDefFoundError: org/slf4j/LoggerFactory}), and the internal packages
 * stay out of reach.
 */
@Timeout(120)
class ModulePathTest {
  /** Core's dependencies, as the test's class path holds them. */
  private static final List<String> DEPENDENCIES =
      List.of(
          "okhttp-jvm-",
          "okio-jvm-",
          "kotlin-stdlib-",
          "annotations-",
          "resilience4j-",
          "slf4j-api-",
          "jspecify-");

  @StartStop private final MockWebServer server = Servers.noDelay();
  @TempDir Path dir;

  @Test
  void theDesignCardsCallRunsFromANamedModule() throws Exception {
    server.setDispatcher(new IdDispatcher());
    Path app =
        compile(
            "app",
            """
            module app {
              requires dev.batchfetch;
            }
            """,
            """
            package app;

            import dev.batchfetch.BatchFetcher;
            import dev.batchfetch.Result;
            import java.util.List;

            public class Main {
              public static void main(String[] args) {
                List<Result> results = BatchFetcher.async(64).fetchAll(List.of(args)).join();
                long ok = results.stream().filter(Result::isSuccess).count();
                System.out.println(ok + "/" + results.size() + " ok, module "
                    + BatchFetcher.class.getModule().getName() + " " + dev.batchfetch.Version.VERSION);
              }
            }
            """);

    Run run =
        java(
            "--module-path",
            modulePath(app),
            "-m",
            "app/app.Main",
            server.url("/id/1").toString(),
            server.url("/id/2").toString(),
            server.url("/id/3").toString());

    assertThat(run.output).as(run.output).contains("3/3 ok, module dev.batchfetch ");
    assertThat(run.output).doesNotContain("Exception", "Error");
    assertThat(run.status).as(run.output).isZero();
  }

  @Test
  void theModuleExportsTheApiAndNothingElse() throws Exception {
    Run run = java("--module-path", modulePath(null), "--describe-module", "dev.batchfetch");

    assertThat(run.status).as(run.output).isZero();
    List<String> exports =
        run.output.lines().filter(line -> line.startsWith("exports ")).collect(Collectors.toList());
    assertThat(exports).containsExactly("exports dev.batchfetch");
    assertThat(run.output)
        .contains("requires org.slf4j", "requires okhttp3 transitive")
        .contains("contains dev.batchfetch.internal");
  }

  @Test
  void anApplicationModuleCannotReachTheInternals() throws Exception {
    String errors =
        compileErrors(
            "snoop",
            """
            module snoop {
              requires dev.batchfetch;
            }
            """,
            """
            package snoop;

            public class Main {
              Object engine = dev.batchfetch.internal.Engine.class;
            }
            """);

    assertThat(errors).contains("package dev.batchfetch.internal is not visible");
  }

  private Path compile(String module, String moduleInfo, String main)
      throws IOException, InterruptedException {
    String errors = compileErrors(module, moduleInfo, main);
    assertThat(errors).as("compiling %s", module).isEmpty();
    return dir.resolve(module + "-classes");
  }

  private String compileErrors(String module, String moduleInfo, String main)
      throws IOException, InterruptedException {
    Path sources = Files.createDirectories(dir.resolve(module + "-src").resolve(module));
    Files.writeString(sources.resolve("module-info.java"), moduleInfo);
    Path pkg = Files.createDirectories(sources.resolve(module));
    Files.writeString(pkg.resolve("Main.java"), main);
    Path classes = Files.createDirectories(dir.resolve(module + "-classes"));
    Run javac =
        run(
            "javac",
            "--module-path",
            modulePath(null),
            "-d",
            classes.toString(),
            sources.resolve("module-info.java").toString(),
            pkg.resolve("Main.java").toString());
    return javac.output;
  }

  /** Core's classes, its dependencies' jars, and {@code app} if not null. */
  private static String modulePath(Path app) {
    List<String> path = new ArrayList<>();
    if (app != null) {
      path.add(app.toString());
    }
    path.add(Path.of("target", "classes").toAbsolutePath().toString());
    Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> entry.endsWith(".jar"))
        .filter(
            entry ->
                DEPENDENCIES.stream()
                    .anyMatch(name -> Path.of(entry).getFileName().toString().startsWith(name)))
        .forEach(path::add);
    assertThat(path).as("core's dependencies on the test's class path").hasSizeGreaterThan(8);
    return String.join(File.pathSeparator, path);
  }

  private record Run(int status, String output) {}

  private static Run java(String... args) throws IOException, InterruptedException {
    return run("java", args);
  }

  /** Runs a tool of the JDK running the tests. */
  private static Run run(String tool, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", tool).toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
    return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
