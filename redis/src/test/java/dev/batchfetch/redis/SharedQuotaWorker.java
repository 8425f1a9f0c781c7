package dev.batchfetch.redis;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import dev.batchfetch.RetryPolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One process of the shared-quota tests: a fetcher whose rate limiter is the quota in Redis,
 * fetching its share of the URLs, {@code rounds} times, each time when told {@code go} on its
 * standard input, so that all processes start together; after each round it says {@code done: <n>
 * ok, ...}. Retries are off: an answer 429 is a result, not a hidden second call.
 *
 * <p>{@code warm}: before saying {@code ready}, it warms up through the fetcher (JIT, the Redis
 * connection, as many HTTP connections as it will use; the warm-up's requests are not counted but
 * take permits of the quota). {@code cold}: it says {@code ready} before it has touched batchfetch,
 * Redis or HTTP, as a process that has just started.
 *
 * <p>Arguments: Redis URI, server base URL, first id, count, quota name, permits per second, burst,
 * {@code warm} or {@code cold}, rounds. Exits 0 if every call succeeded.
 */
final class SharedQuotaWorker {
  private SharedQuotaWorker() {}

  public static void main(String[] args) throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    boolean cold = args[7].equals("cold");
    if (cold) {
      say("ready");
    }
    String redisUri = args[0];
    String base = args[1];
    int from = Integer.parseInt(args[2]);
    int count = Integer.parseInt(args[3]);
    int rounds = Integer.parseInt(args[8]);
    List<String> urls = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      urls.add(base + "/id/" + i);
    }
    boolean allOk = true;
    if (cold && !"go".equals(in.readLine())) {
      System.exit(2);
    }
    RateLimit rate =
        RateLimit.perSecond(Long.parseLong(args[5])).withBurst(Long.parseLong(args[6]));
    try (RedisRateLimiters redis = RedisRateLimiters.builder().uri(redisUri).build();
        BatchFetcher fetcher =
            BatchFetcher.builder()
                .policy(ExecutionPolicy.async(16))
                .retry(RetryPolicy.none())
                .rateLimiter(traced(redis.limiter(args[4], rate)))
                .build()) {
      if (!cold) {
        // Warm up through the fetcher itself: its own connection pool, and the quota's permits.
        for (Result result : fetcher.fetchAll(Collections.nCopies(16, base + "/warmup")).join()) {
          if (!result.isSuccess()) {
            say("warm-up failed: " + result);
            System.exit(3);
          }
        }
        say("ready");
      }
      for (int round = 0; round < rounds; round++) {
        if ((!cold || round > 0) && !"go".equals(in.readLine())) {
          System.exit(2);
        }
        List<Result> results = fetcher.fetchAll(urls).join();
        long successes = results.stream().filter(Result::isSuccess).count();
        allOk &= successes == count;
        if (!permits.isEmpty()) {
          StringBuilder trace = new StringBuilder("permits " + from + ":");
          for (long[] p : permits) {
            trace.append(' ').append(p[0]).append('/').append(p[1]);
          }
          permits.clear();
          System.err.println(trace);
        }
        say(
            "done: "
                + successes
                + " ok"
                + results.stream()
                    .filter(r -> !r.isSuccess())
                    .map(
                        r -> ", " + r.error() + " " + (r.status() > 0 ? r.status() : r.exception()))
                    .distinct()
                    .collect(Collectors.joining()));
      }
    }
    System.exit(allOk ? 0 : 1);
  }

  /** When each permit was due, System.nanoTime(), in order; and how late its answer came. */
  static final List<long[]> permits = java.util.Collections.synchronizedList(new ArrayList<>());

  static io.github.resilience4j.ratelimiter.RateLimiter traced(
      io.github.resilience4j.ratelimiter.RateLimiter limiter) {
    if (System.getenv("BATCHFETCH_TRACE_PERMITS") == null) {
      return limiter;
    }
    return (io.github.resilience4j.ratelimiter.RateLimiter)
        java.lang.reflect.Proxy.newProxyInstance(
            SharedQuotaWorker.class.getClassLoader(),
            new Class<?>[] {io.github.resilience4j.ratelimiter.RateLimiter.class},
            (proxy, method, args) -> {
              long asked = System.nanoTime();
              Object answer = method.invoke(limiter, args);
              if (method.getName().equals("reservePermission")) {
                long now = System.nanoTime();
                permits.add(new long[] {now + (Long) answer, (now - asked) / 1_000_000});
              }
              return answer;
            });
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
