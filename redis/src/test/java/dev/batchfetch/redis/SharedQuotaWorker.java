package dev.batchfetch.redis;

import dev.batchfetch.BatchFetcher;
import dev.batchfetch.ExecutionPolicy;
import dev.batchfetch.RateLimit;
import dev.batchfetch.Result;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One process of {@link SharedQuotaAcrossProcessesTest}: a fetcher whose rate limiter is the quota
 * in Redis, fetching its share of the URLs. It warms up through that fetcher (JIT, the Redis
 * connection, as many HTTP connections as it will use; the warm-up's requests are not counted but
 * take permits of the quota), says {@code ready}, waits for {@code go} on its standard input so
 * that all processes start together, fetches, and says {@code done <successes> <failures>}.
 *
 * <p>Arguments: Redis URI, server base URL, first id, count, quota name, permits per second, burst.
 */
final class SharedQuotaWorker {
  private SharedQuotaWorker() {}

  public static void main(String[] args) throws IOException {
    String redisUri = args[0];
    String base = args[1];
    int from = Integer.parseInt(args[2]);
    int count = Integer.parseInt(args[3]);
    String quota = args[4];
    RateLimit rate =
        RateLimit.perSecond(Long.parseLong(args[5])).withBurst(Long.parseLong(args[6]));
    List<String> urls = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      urls.add(base + "/id/" + i);
    }
    long successes;
    try (RedisRateLimiters redis = RedisRateLimiters.builder().uri(redisUri).build();
        BatchFetcher fetcher =
            BatchFetcher.builder()
                .policy(ExecutionPolicy.async(16))
                .rateLimiter(redis.limiter(quota, rate))
                .build()) {
      // Warm up through the fetcher itself: its own connection pool, and the quota's permits.
      for (Result result : fetcher.fetchAll(Collections.nCopies(16, base + "/warmup")).join()) {
        if (!result.isSuccess()) {
          System.out.println("warm-up failed: " + result);
          System.exit(3);
        }
      }
      System.out.println("ready");
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      if (!"go".equals(in.readLine())) {
        System.exit(2);
      }
      List<Result> results = fetcher.fetchAll(urls).join();
      successes = results.stream().filter(Result::isSuccess).count();
      System.out.println(
          "done: "
              + successes
              + " ok"
              + results.stream()
                  .filter(r -> !r.isSuccess())
                  .map(r -> ", " + r.error() + " " + r.exception())
                  .distinct()
                  .collect(Collectors.joining()));
      System.out.flush();
    }
    System.exit(successes == count ? 0 : 1);
  }
}
