package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.batchfetch.testing.QuotaModel.TokenBucket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fetchers sharing a {@link QuotaStore}, in virtual time: the in-memory store stands for a shared
 * one (two fetchers on one store hear each other as two processes on one Redis would), and an entry
 * the test writes stands for one another process learned. Each fetcher sends to {@code a.test}
 * under a path of its own, so the server's log tells them apart.
 */
@Timeout(60)
class SharedQuotaStoreTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  private final Virtual virtual = new Virtual();
  private final QuotaStore store = QuotaStore.inMemory(100);

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aFetcherStartsAtTheRateAnotherLearnedAndIsNotRefused(ExecutionPolicy policy) {
    virtual
        .server
        .latency(Duration.ofMillis(10))
        .enforce("a.test", new TokenBucket(5, 10, false, false));
    BatchFetcher first = leaks.track(virtual.builder().policy(policy).quotaStore(store).build());
    virtual.run(first.fetchAll(urls("/first/", 60)));
    double learned = first.learnedRates().get("a.test:80");

    BatchFetcher later = leaks.track(virtual.builder().policy(policy).quotaStore(store).build());
    List<Result> results = virtual.run(later.fetchAll(urls("/later/", 60)));
    BatchFetcher alone = leaks.track(virtual.builder().policy(policy).build());
    virtual.run(alone.fetchAll(urls("/alone/", 60)));

    long firstRefused = refused("a.test/first/");
    long laterRefused = refused("a.test/later/");
    long aloneRefused = refused("a.test/alone/");
    System.out.printf(
        "%s: learned %.2f/s; 429s: first %d, later (shared store) %d, later (own store) %d%n",
        policy, learned, firstRefused, laterRefused, aloneRefused);
    assertThat(results).allMatch(Result::isSuccess);
    assertThat(laterRefused).as("the later fetcher, on the shared store").isZero();
    assertThat(firstRefused).as("the first, which found the quota").isPositive();
    assertThat(aloneRefused).as("a later fetcher on a store of its own").isPositive();
    List<Long> millis = virtual.server.millisOf("a.test/later/");
    assertThat((double) (millis.get(1) - millis.get(0)))
        .as("paced at the learned rate from its first call")
        .isCloseTo(1000 / learned, within(1.0));
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aLowerRateAnotherLearnedSlowsARunningBatch(ExecutionPolicy policy) {
    List<Long> millis = runWhileAnotherLearns(policy, new Shared(2, null, Duration.ZERO));

    assertThat(gaps(millis, 0, 1000)).as("before: its own ceiling").allMatch(gap -> gap == 100);
    // A call whose permit was reserved before 1 s keeps it: the next one waits the new interval.
    assertThat(gaps(millis, 1200, 3000)).as("after: the rate heard").allMatch(gap -> gap == 500);
    assertThat(gaps(millis, 3000, 8000))
        .as("then its own probe, upward from it by 5% steps")
        .allMatch(gap -> gap >= 450 && gap <= 500);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aStaleEntryChangesNothing(ExecutionPolicy policy) {
    List<Long> millis = runWhileAnotherLearns(policy, new Shared(2, null, Duration.ofMinutes(6)));

    assertThat(gaps(millis, 0, 5000)).as("an entry 6 minutes old").allMatch(gap -> gap == 100);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aHigherRateChangesNothing(ExecutionPolicy policy) {
    List<Long> millis = runWhileAnotherLearns(policy, new Shared(50, null, Duration.ZERO));

    assertThat(gaps(millis, 0, 5000)).as("a rate above its own").allMatch(gap -> gap == 100);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aPauseAnotherWasToldPausesThisFetcherToo(ExecutionPolicy policy) {
    virtual.server.latency(Duration.ofMillis(10));
    BatchFetcher running = leaks.track(configured(policy).build());
    CompletableFuture<List<Result>> batch = running.fetchAll(urls("/running/", 40));
    virtual.advanceMillis(1000);

    // Another fetcher on the store is told to wait 3 s by its first answer.
    virtual.server.then("a.test/other/0", 429, "Retry-After", "3");
    BatchFetcher other = leaks.track(virtual.builder().policy(policy).quotaStore(store).build());
    CompletableFuture<List<Result>> told = other.fetchAll(urls("/other/", 1));
    virtual.advanceMillis(20);
    long refusedAt = virtual.server.millisOf("a.test/other/").get(0);
    List<Result> results = virtual.run(batch);
    virtual.run(told);

    List<Long> millis = virtual.server.millisOf("a.test/running/");
    System.out.printf(
        "%s: other refused at %d ms; running's arrivals %s%n", policy, refusedAt, millis);
    assertThat(results).allMatch(Result::isSuccess);
    assertThat(millis)
        .as("none while the other is paused")
        .noneMatch(at -> at > refusedAt + 10 && at < refusedAt + 10 + 3000);
    assertThat(millis).as("on again after the pause").anyMatch(at -> at >= refusedAt + 3000);
  }

  @Test
  void itsOwnEntryReadBackIsNotNews() {
    virtual
        .server
        .latency(Duration.ofMillis(10))
        .enforce("a.test", new TokenBucket(5, 10, false, false));
    List<FetchListener.RateChanged> changes = new ArrayList<>();
    BatchFetcher fetcher =
        leaks.track(
            virtual
                .builder()
                .policy(ExecutionPolicy.async(16))
                .quotaStore(store)
                .eventListener(
                    new FetchListener() {
                      @Override
                      public void rateChanged(RateChanged e) {
                        changes.add(e);
                      }
                    })
                .build());

    virtual.run(fetcher.fetchAll(urls("/own/", 60)));

    assertThat(changes).isNotEmpty().allMatch(e -> e.reason() == FetchListener.RateReason.LEARNED);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aStoreThatThrowsChangesNothing(ExecutionPolicy policy) {
    virtual
        .server
        .latency(Duration.ofMillis(10))
        .enforce("a.test", new TokenBucket(5, 10, false, false));
    QuotaStore broken =
        new QuotaStore() {
          @Override
          public @Nullable Learned read(String host) {
            throw new IllegalStateException("read");
          }

          @Override
          public void write(String host, Learned learned) {
            throw new IllegalStateException("write");
          }
        };
    BatchFetcher fetcher = leaks.track(virtual.builder().policy(policy).quotaStore(broken).build());

    List<Result> results = virtual.run(fetcher.fetchAll(urls("/x/", 30)));

    assertThat(results).allMatch(Result::isSuccess);
    assertThat(fetcher.learnedRates()).containsKey("a.test:80");
  }

  /** An entry another fetcher wrote at 1 s: its rate, pause from then, and how old it is. */
  private record Shared(double rate, @Nullable Duration pause, Duration age) {}

  /**
   * Runs 50 inputs at the ceiling of 10 a second; at 1 s, {@code shared} is written as another
   * fetcher would have. Returns the arrival times, in ms.
   */
  private List<Long> runWhileAnotherLearns(ExecutionPolicy policy, Shared shared) {
    Virtual v = virtual;
    v.server.latency(Duration.ofMillis(10));
    BatchFetcher fetcher = leaks.track(configured(policy).build());
    CompletableFuture<List<Result>> batch = fetcher.fetchAll(urls("/running/", 50));
    v.advanceMillis(1000);
    Instant now = v.clock.instant();
    Duration age = shared.age();
    store.write(
        "a.test:80",
        new QuotaStore.Learned(
            shared.rate(),
            shared.pause() == null ? null : now.plus(shared.pause()),
            now.minus(age)));
    List<Result> results = v.run(batch);
    assertThat(results).allMatch(Result::isSuccess);
    return v.server.millisOf("a.test/running/");
  }

  private BatchFetcher.Builder configured(ExecutionPolicy policy) {
    return virtual
        .builder()
        .policy(policy)
        .quotaStore(store)
        .perHost(HostLimits.of(RateLimit.perSecond(10), 16));
  }

  private long refused(String prefix) {
    return virtual.server.sent().stream()
        .filter(s -> s.key().startsWith(prefix) && s.status() == 429)
        .count();
  }

  /** The gaps between arrivals from {@code fromMs} to {@code toMs}. */
  private static List<Long> gaps(List<Long> millis, long fromMs, long toMs) {
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < millis.size(); i++) {
      if (millis.get(i - 1) >= fromMs && millis.get(i) <= toMs) {
        gaps.add(millis.get(i) - millis.get(i - 1));
      }
    }
    assertThat(gaps).as("arrivals from %d to %d ms", fromMs, toMs).isNotEmpty();
    return gaps;
  }

  private static List<String> urls(String path, int count) {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      urls.add("http://a.test" + path + i);
    }
    return urls;
  }
}
