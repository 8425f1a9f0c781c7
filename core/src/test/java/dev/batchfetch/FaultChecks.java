package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.provider.Arguments;

/**
 * What every case of the fault suite checks (issue 15): exactly one result per input, the requests
 * the server saw equal to the attempts the results report, the batch's future completing within a
 * bound (a hang fails the test instead of the build), and the fetcher still usable afterwards.
 */
final class FaultChecks {
  /** How long a batch of the fault suite may take before it counts as a hang. */
  static final Duration BOUND = Duration.ofSeconds(20);

  /** Retries as the defaults, with backoffs short enough for tests that do not measure them. */
  static final RetryPolicy FAST_RETRIES =
      RetryPolicy.defaults().withBackoff(Duration.ofMillis(20), 2.0, Duration.ofMillis(100));

  private FaultChecks() {}

  /** The value of {@code future}, which must complete normally within {@code within}. */
  static <T> T completes(CompletableFuture<T> future, Duration within) {
    try {
      return future.get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return fail("hang: the batch did not complete within " + within);
    } catch (ExecutionException e) {
      return fail("the batch failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    }
  }

  /** The value of {@code future} within {@link #BOUND}. */
  static <T> T completes(CompletableFuture<T> future) {
    return completes(future, BOUND);
  }

  /**
   * How {@code future} ended within {@link #BOUND}: null if normally, else the cause of its
   * failure. A future that does not end fails the test as a hang.
   */
  static @Nullable Throwable ends(CompletableFuture<?> future) {
    try {
      future.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      return null;
    } catch (TimeoutException e) {
      return fail("hang: the batch did not complete within " + BOUND);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (CancellationException e) {
      return e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    }
  }

  /** One result per input, at its own index, with its own URL. */
  static void oneResultPerInput(List<Result> results, List<?> inputs) {
    assertThat(results).as("results").hasSize(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      Result result = results.get(i);
      assertThat(result.index()).as("index of result %d: %s", i, result).isEqualTo(i);
      if (inputs.get(i) instanceof String url) {
        assertThat(result.url()).as("url of result %d", i).isEqualTo(url);
      }
    }
  }

  /** One result for each of {@code count} inputs of a streamed batch, in any order. */
  static void oneResultPerIndex(Collection<Result> results, int count) {
    assertThat(results.stream().map(Result::index).sorted().toList())
        .as("indexes of the results")
        .containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
  }

  static int attempts(Collection<Result> results) {
    return results.stream().mapToInt(Result::attempts).sum();
  }

  /** Every request the server read was an attempt a result counts: no hidden request. */
  static void serverSawEveryAttempt(FaultServer server, Collection<Result> results) {
    assertThat(server.requests())
        .as("requests the server read, against the attempts of %s", results)
        .isEqualTo(attempts(results));
  }

  /** A batch of healthy URLs on {@code fetcher} succeeds afterwards. */
  static void staysUsable(BatchFetcher fetcher, FaultServer server) {
    List<String> urls = server.urls("/after", 3);
    List<Result> results = completes(fetcher.fetchAll(urls));
    assertThat(results).as("a later batch on the same fetcher").allMatch(Result::isSuccess);
  }

  /** Whether {@code type} is {@code throwable} or one of its causes. */
  static boolean causedBy(@Nullable Throwable throwable, Class<? extends Throwable> type) {
    for (Throwable t = throwable; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code expected} is {@code throwable} or one of its causes. */
  static boolean causedBy(@Nullable Throwable throwable, Throwable expected) {
    for (Throwable t = throwable; t != null; t = t.getCause()) {
      if (t == expected) {
        return true;
      }
    }
    return false;
  }

  /** Every policy with each of {@code values}. */
  static Stream<Arguments> policiesWith(Object... values) {
    return Policies.all().flatMap(p -> Stream.of(values).map(v -> Arguments.of(p, v)));
  }
}
