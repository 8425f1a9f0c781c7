package dev.batchfetch.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long INTERVAL = 10_000_000; // 100 per second

  @Test
  void letsBurstPlusOneThroughAtOnceThenOnePerInterval() {
    TokenBucket bucket = new TokenBucket(100, 3);
    long t = 1_000_000_000L;

    for (int i = 0; i < 4; i++) {
      assertThat(bucket.tryTake(t)).as("request %d at once", i).isTrue();
    }
    assertThat(bucket.tryTake(t)).as("the fifth at once").isFalse();
    assertThat(bucket.tryTake(t + INTERVAL - 1)).as("just before an interval").isFalse();
    assertThat(bucket.tryTake(t + INTERVAL)).as("after an interval").isTrue();
    assertThat(bucket.tryTake(t + INTERVAL)).isFalse();
  }

  @Test
  void refusedRequestsDoNotCount() {
    TokenBucket bucket = new TokenBucket(100, 0);
    long t = 5_000_000_000L;
    assertThat(bucket.tryTake(t)).isTrue();
    for (int i = 0; i < 10; i++) {
      assertThat(bucket.tryTake(t + i)).isFalse();
    }
    assertThat(bucket.tryTake(t + INTERVAL)).isTrue();
  }
}
