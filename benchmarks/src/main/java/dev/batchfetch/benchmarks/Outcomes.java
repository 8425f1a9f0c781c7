package dev.batchfetch.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * What each URL of one timed run got: its status (0 for no response) and whether its body was the
 * id it asked for. Allocated before the clock starts; each client writes one slot per URL, from
 * whichever thread ends that call, and the harness reads them after the run's end has been awaited.
 */
final class Outcomes {
  private final int[] status;
  private final boolean[] bodyOk;

  Outcomes(int count) {
    this.status = new int[count];
    this.bodyOk = new boolean[count];
  }

  /**
   * Records URL {@code index}: its status and body; the body is right if it reads {@code index}.
   */
  void record(int index, int statusCode, String body) {
    status[index] = statusCode;
    bodyOk[index] = body.equals(Integer.toString(index));
  }

  /** Records URL {@code index} as failed without a response. */
  void failed(int index) {
    status[index] = 0;
  }

  /** The URLs {@code prefix + 0} to {@code prefix + (count - 1)}. */
  static List<String> urls(String prefix, int count) {
    List<String> urls = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      urls.add(prefix + i);
    }
    return urls;
  }

  /** Counts successes (200, and the right body when {@code checkBody}), 429s and the rest. */
  Tally tally(boolean checkBody) {
    int ok = 0;
    int tooMany = 0;
    for (int i = 0; i < status.length; i++) {
      if (status[i] == 200 && (!checkBody || bodyOk[i])) {
        ok++;
      } else if (status[i] == 429) {
        tooMany++;
      }
    }
    return new Tally(ok, tooMany, status.length - ok - tooMany);
  }

  /** The counts of one run. */
  record Tally(int ok, int tooMany, int failed) {}
}
