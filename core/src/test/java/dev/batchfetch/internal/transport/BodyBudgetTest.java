package dev.batchfetch.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bytes of bodies held at once: taken before reading, given back, waited for, never stuck. */
@Timeout(10)
class BodyBudgetTest {
  private final BodyBudget budget = new BodyBudget(100);
  private final AtomicBoolean never = new AtomicBoolean();

  @Test
  void aBodyTakesWhatItCoversAndGivesItBackWhenClosed() throws Exception {
    try (BodyBudget.Account account = budget.open(never::get)) {
      account.cover(30, 10);
      assertThat(budget.available()).isEqualTo(60);
      account.cover(35, 0); // covered already
      assertThat(budget.available()).isEqualTo(60);
      account.cover(50, 0);
      assertThat(budget.available()).isEqualTo(50);
    }
    assertThat(budget.available()).isEqualTo(100);
  }

  @Test
  void aBodyGetsLessThanItWouldLikeRatherThanWait() throws Exception {
    try (BodyBudget.Account first = budget.open(never::get);
        BodyBudget.Account second = budget.open(never::get)) {
      first.cover(80, 0);
      second.cover(15, 50); // 20 left: more than it needs, less than it would like

      assertThat(budget.available()).isZero();
    }
  }

  /**
   * With the budget spent, one body at a time goes on without it (so bodies never wait for each
   * other for good); another waits until bytes come back.
   */
  @Test
  void oneBodyGoesOnPastTheBudgetAndAnotherWaits() throws Exception {
    BodyBudget.Account holder = budget.open(never::get);
    holder.cover(100, 0);
    BodyBudget.Account lane = budget.open(never::get);
    lane.cover(1_000, 0); // past the budget: the lane
    lane.cover(5_000, 0);

    CompletableFuture<Void> waiting = coverLater(budget.open(never::get), 10);

    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(1))
        .until(() -> !waiting.isDone());
    holder.close();
    waiting.get();
    assertThat(budget.available()).isEqualTo(90);
    lane.close();
  }

  @Test
  void theLaneIsFreeAgainOnceItsBodyCloses() throws Exception {
    BodyBudget.Account holder = budget.open(never::get);
    holder.cover(100, 0);
    BodyBudget.Account lane = budget.open(never::get);
    lane.cover(200, 0);
    CompletableFuture<Void> waiting = coverLater(budget.open(never::get), 200);

    lane.close();

    waiting.get(); // it took the lane
    assertThat(budget.available()).isZero();
  }

  @Test
  void aWaitEndsWhenItsInputIsAbandoned() throws Exception {
    budget.open(never::get).cover(100, 0);
    budget.open(never::get).cover(200, 0); // the lane
    AtomicBoolean abandoned = new AtomicBoolean();
    CompletableFuture<Void> waiting = coverLater(budget.open(abandoned::get), 10);

    abandoned.set(true);

    assertThat(waiting)
        .failsWithin(Duration.ofSeconds(2))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(InterruptedIOException.class);
  }

  private static CompletableFuture<Void> coverLater(BodyBudget.Account account, long bytes) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            account.cover(bytes, 0);
          } catch (InterruptedIOException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        });
  }
}
