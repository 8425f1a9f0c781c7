package dev.batchfetch;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A rate limiter of the user's (a quota shared through a store, in real life) in place of the
 * fetcher's own: asked off the admission thread, waited without a thread, failures as results.
 */
@Timeout(30)
class UsersRateLimiterTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer a = Servers.noDelay();
  @StartStop private final MockWebServer b = Servers.noDelay();

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aUsersLimiterSetsThePaceAndIsAskedOffTheAdmissionThread(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher();
    a.setDispatcher(dispatcher);
    Set<String> askers = ConcurrentHashMap.newKeySet();
    RateLimiter tenPerSecond = recording(perSecond(10), askers);
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).rateLimiter(tenPerSecond).build());

    List<Result> results = fetcher.fetchAll(Urls.ids(a, 6)).join();

    assertThat(results).allMatch(Result::isSuccess);
    assertThat(askers).isNotEmpty().allMatch(name -> name.equals(fetcher.name() + "-quota"));
    List<Long> arrivals = dispatcher.arrivalNanos();
    // Resilience4j's limiter hands out 10 a second in windows of 100 ms: one call per window.
    assertThat(NANOSECONDS.toMillis(arrivals.get(5) - arrivals.get(0))).isGreaterThanOrEqualTo(350);
    assertThat(fetcher.rateLimit()).isEqualTo(RateLimit.unlimited());
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void aLimiterThatCannotAnswerEndsItsInputsUnsent(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher();
    a.setDispatcher(dispatcher);
    IllegalStateException down = new IllegalStateException("Redis is down");
    RateLimiter broken = failing(perSecond(100), down);
    BatchFetcher fetcher =
        leaks.track(BatchFetcher.builder().policy(policy).rateLimiter(broken).build());

    List<Result> results = fetcher.fetchAll(Urls.ids(a, 5)).join();

    assertThat(results)
        .allSatisfy(
            r -> {
              assertThat(r.error()).isEqualTo(ErrorKind.QUOTA_UNAVAILABLE);
              assertThat(r.exception()).isSameAs(down);
              assertThat(r.attempts()).isZero();
            });
    assertThat(dispatcher.requestCount()).isZero();
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#concurrent")
  void aHostWhoseLimiterIsSlowToAnswerHoldsUpNoOtherHost(ExecutionPolicy policy) throws Exception {
    a.setDispatcher(new IdDispatcher());
    b.setDispatcher(new IdDispatcher());
    CountDownLatch answer = new CountDownLatch(1);
    RateLimiter slow = blocking(perSecond(1_000), answer);
    String keyOfA = a.getHostName() + ":" + a.getPort();
    List<String> keys = new ArrayList<>();
    BatchFetcher fetcher =
        leaks.track(
            BatchFetcher.builder()
                .policy(policy)
                .hostRateLimiters(
                    key -> {
                      keys.add(key);
                      return key.equals(keyOfA) ? slow : null;
                    })
                .build());
    List<String> urls = new ArrayList<>(Urls.ids(a, 3));
    urls.addAll(Urls.ids(b, 3));

    CompletableFuture<List<Result>> batch = fetcher.fetchAll(urls);

    // b's own limits apply (the function said null): its calls all went while a's limiter hung.
    org.awaitility.Awaitility.await()
        .until(() -> ((IdDispatcher) b.getDispatcher()).requestCount() == 3);
    assertThat(batch).isNotDone();
    answer.countDown();
    assertThat(batch.get(10, TimeUnit.SECONDS)).allMatch(Result::isSuccess);
    assertThat(keys).containsExactlyInAnyOrder(keyOfA, b.getHostName() + ":" + b.getPort());
  }

  @Test
  void rejectsANullLimiter() {
    assertThatThrownBy(() -> BatchFetcher.builder().rateLimiter(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limiter");
    assertThatThrownBy(() -> BatchFetcher.builder().hostRateLimiters(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limiterForHost");
  }

  private static RateLimiter perSecond(int permits) {
    return RateLimiter.of(
        "users",
        RateLimiterConfig.custom()
            .limitForPeriod(1)
            .limitRefreshPeriod(Duration.ofNanos(1_000_000_000L / permits))
            .timeoutDuration(Duration.ofSeconds(5))
            .build());
  }

  /** {@code limiter}, noting the threads that ask it for permits. */
  private static RateLimiter recording(RateLimiter limiter, Set<String> askers) {
    return new ForwardingRateLimiter(limiter) {
      @Override
      public long reservePermission() {
        askers.add(Thread.currentThread().getName());
        return super.reservePermission();
      }
    };
  }

  private static RateLimiter failing(RateLimiter limiter, RuntimeException failure) {
    return new ForwardingRateLimiter(limiter) {
      @Override
      public long reservePermission() {
        throw failure;
      }
    };
  }

  /** {@code limiter}, whose every answer waits for {@code answer}, as a store that hangs would. */
  private static RateLimiter blocking(RateLimiter limiter, CountDownLatch answer) {
    return new ForwardingRateLimiter(limiter) {
      @Override
      public long reservePermission() {
        try {
          answer.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        return super.reservePermission();
      }
    };
  }
}
