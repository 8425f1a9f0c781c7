package dev.batchfetch;

import dev.batchfetch.internal.time.FakeClock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A listener that writes down every event as a line, with the virtual time it was heard at (on a
 * {@link FakeClock}, events are heard at the time they happened), for tests to compare.
 */
final class Recorder extends FetchListener {
  private final FakeClock clock;
  private final List<String> lines = new ArrayList<>();
  private final List<Object> events = new ArrayList<>();

  Recorder(FakeClock clock) {
    this.clock = clock;
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** The lines that contain {@code part}. */
  synchronized List<String> lines(String part) {
    return lines.stream().filter(line -> line.contains(part)).toList();
  }

  synchronized <T> List<T> events(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  synchronized long count(Predicate<String> which) {
    return lines.stream().filter(which).count();
  }

  private synchronized void add(Object event, String line) {
    events.add(event);
    lines.add(clock.elapsed().toMillis() + " " + line);
  }

  @Override
  public void batchStarted(BatchStarted e) {
    add(e, "batchStarted " + e.batch() + " total=" + e.total());
  }

  @Override
  public void batchProgress(BatchProgress e) {
    Progress p = e.progress();
    add(e, "batchProgress " + p.batch() + " waiting=" + p.waiting() + " inFlight=" + p.inFlight());
  }

  @Override
  public void batchEnded(BatchEnded e) {
    BatchSummary s = e.summary();
    add(
        e,
        "batchEnded "
            + e.batch()
            + " results="
            + s.results()
            + " ok="
            + s.succeeded()
            + " "
            + s.failures());
  }

  @Override
  public void attemptStarted(AttemptStarted e) {
    add(
        e,
        "attemptStarted #"
            + e.index()
            + " "
            + e.host()
            + " attempt="
            + e.attempt()
            + " queued="
            + e.queued().toMillis());
  }

  @Override
  public void attemptEnded(AttemptEnded e) {
    add(
        e,
        "attemptEnded #"
            + e.index()
            + " "
            + e.host()
            + " attempt="
            + e.attempt()
            + " status="
            + e.status()
            + " error="
            + e.error()
            + " took="
            + e.duration().toMillis());
  }

  @Override
  public void inputEnded(InputEnded e) {
    Result r = e.result();
    add(
        e,
        "inputEnded #"
            + r.index()
            + " status="
            + r.status()
            + " error="
            + r.error()
            + " attempts="
            + r.attempts());
  }

  @Override
  public void permitWaited(PermitWaited e) {
    add(
        e,
        "permitWaited #"
            + e.index()
            + " "
            + e.host()
            + " "
            + e.limiter()
            + " "
            + e.waited().toMillis());
  }

  @Override
  public void retryScheduled(RetryScheduled e) {
    add(
        e,
        "retryScheduled #"
            + e.index()
            + " attempt="
            + e.attempt()
            + " in="
            + e.delay().toMillis()
            + " "
            + e.reason());
  }

  @Override
  public void hostPaused(HostPaused e) {
    add(
        e,
        "hostPaused "
            + e.host()
            + " "
            + e.pause().toMillis()
            + " "
            + e.reason()
            + (e.blocked() ? " blocked" : ""));
  }

  @Override
  public void rateChanged(RateChanged e) {
    add(e, "rateChanged " + e.host() + " " + e.from() + " -> " + e.to() + " " + e.reason());
  }

  @Override
  public void hostEvicted(HostEvicted e) {
    add(e, "hostEvicted " + e.host());
  }
}
