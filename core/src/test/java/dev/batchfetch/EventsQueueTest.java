package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.internal.events.Events;
import dev.batchfetch.internal.time.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.event.Level;

/** The queue between a fetcher and its listeners: failures logged, a slow listener bounded. */
@Timeout(30)
class EventsQueueTest {
  private final FakeClock clock = new FakeClock();
  private final CapturingLogger log = new CapturingLogger(Level.INFO);
  private final List<Runnable> drains = new ArrayList<>();

  @Test
  void aListenerThatThrowsIsWarnedOfOnceInTenSecondsWithACount() {
    FetchListener throwing =
        new FetchListener() {
          @Override
          public void hostEvicted(HostEvicted event) {
            throw new OutOfMemoryError("listener");
          }

          @Override
          public String toString() {
            return "Throwing";
          }
        };
    Events events = new Events("f", List.of(throwing), Runnable::run, clock, log);

    events.hostEvicted("a:80");
    events.hostEvicted("b:80");
    events.hostEvicted("c:80");
    clock.advance(Duration.ofSeconds(10));
    events.hostEvicted("d:80");

    assertThat(log.lines())
        .containsExactly(
            "WARN f: the event listener Throwing threw on HostEvicted; ignored",
            "WARN f: the event listener Throwing threw on HostEvicted, and 2 times more since the"
                + " last line: java.lang.OutOfMemoryError: listener");
    assertThat(log.thrown()).hasSize(1);
  }

  @Test
  void aListenerFarBehindLosesAttemptEventsButNeverBatchEvents() {
    List<String> heard = new ArrayList<>();
    FetchListener counting =
        new FetchListener() {
          @Override
          public void attemptStarted(AttemptStarted event) {
            heard.add("attempt");
          }

          @Override
          public void batchEnded(BatchEnded event) {
            heard.add("batchEnded");
          }
        };
    Events events = new Events("f", List.of(counting), drains::add, clock, log);

    for (int i = 0; i < FetchListener.QUEUE_CAPACITY + 10; i++) {
      events.attemptStarted(1, i, "http://a/", "a:80", 1, 0);
    }
    events.batchEnded(1, new BatchSummary(0, 0, Map.of(), 0, Duration.ZERO));
    assertThat(drains).hasSize(1); // the listener's thread is busy elsewhere until now
    drains.get(0).run();

    assertThat(heard).hasSize(FetchListener.QUEUE_CAPACITY + 1).endsWith("batchEnded");
    assertThat(log.lines())
        .containsExactly("WARN f: dropped 10 events: the event listeners are 65536 events behind");
  }

  @Test
  void nobodyListeningMakesNoAttemptEvents() {
    Events events = new Events("f", List.of(), drains::add, clock, log);

    events.attemptStarted(1, 0, "http://a/", "a:80", 1, 0);

    assertThat(events.detailed()).isFalse();
    assertThat(drains).isEmpty();
  }
}
