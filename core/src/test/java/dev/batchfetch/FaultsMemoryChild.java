package dev.batchfetch;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The child JVM of {@link FaultsMemoryTest}, run with a small heap so that an {@link
 * OutOfMemoryError} cannot take the test JVM down. Fetches {@code count} URLs {@code base/0} ...
 * with the fetcher's defaults and the given policy, then prints one line the parent reads:
 *
 * <pre>{@code
 * results=128 kinds={BODY_TOO_LARGE=128} uncaught=0 connections=0
 * }</pre>
 *
 * or {@code hang ...} if the batch did not complete within a minute, with what reached the uncaught
 * handler and the connections left after close.
 */
final class FaultsMemoryChild {
  private FaultsMemoryChild() {}

  /** Arguments: the policy ({@code sequential}, {@code pool:64}, {@code async:64}), base, count. */
  public static void main(String[] args) throws Exception {
    AtomicInteger uncaught = new AtomicInteger();
    Map<String, Integer> uncaughtKinds = new java.util.concurrent.ConcurrentSkipListMap<>();
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, throwable) -> {
          if (thread.getName().startsWith("batchfetch-") || thread.getName().contains("OkHttp")) {
            uncaught.incrementAndGet();
            uncaughtKinds.merge(throwable.getClass().getSimpleName(), 1, Integer::sum);
          }
          System.err.println("uncaught on " + thread.getName() + ": " + throwable);
        });
    ExecutionPolicy policy = policy(args[0]);
    List<String> urls =
        IntStream.range(0, Integer.parseInt(args[2])).mapToObj(i -> args[1] + "/" + i).toList();
    BatchFetcher fetcher = BatchFetcher.builder().policy(policy).build();
    List<Result> results;
    try {
      results = fetcher.fetchAll(urls).get(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      String connections;
      try {
        fetcher.close();
        connections = Integer.toString(fetcher.connectionsHeld());
      } catch (Throwable t) { // an OutOfMemoryError too: this is the report
        connections = t.toString();
      }
      System.out.println(
          "hang uncaught="
              + uncaught.get()
              + " "
              + uncaughtKinds
              + " connections after close="
              + connections);
      System.out.flush();
      Runtime.getRuntime().halt(0);
      return;
    }
    Map<String, Integer> kinds = new TreeMap<>();
    for (Result result : results) {
      kinds.merge(String.valueOf(result.error()), 1, Integer::sum);
    }
    fetcher.close();
    System.out.println(
        "results="
            + results.size()
            + " kinds="
            + kinds
            + " uncaught="
            + uncaught.get()
            + " connections="
            + fetcher.connectionsHeld());
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }

  private static ExecutionPolicy policy(String spec) {
    String[] parts = spec.split(":", 2);
    return switch (parts[0]) {
      case "sequential" -> ExecutionPolicy.sequential();
      case "pool" -> ExecutionPolicy.pool(Integer.parseInt(parts[1]));
      case "async" -> ExecutionPolicy.async(Integer.parseInt(parts[1]));
      default -> throw new IllegalArgumentException("no such policy: " + spec);
    };
  }
}
