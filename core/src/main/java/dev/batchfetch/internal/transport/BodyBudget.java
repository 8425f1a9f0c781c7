package dev.batchfetch.internal.transport;

import java.io.InterruptedIOException;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The bytes of response bodies held in memory at once, by the calls of one fetcher or, by default,
 * of every fetcher in the JVM: so that no mix of large or compressed bodies can exhaust the heap,
 * whatever the servers send and however many calls are in flight.
 *
 * <p>A body being kept takes bytes from the budget before it reads them; when there are none, it
 * waits (its call's thread does, as it would for a slow server) until another body gives its bytes
 * back. So that bodies waiting for each other can never deadlock, one body at a time may go on
 * without the budget, up to its own cap (the lane): the memory held is at most the budget plus one
 * body's cap. A wait ends when the input is abandoned (cancelled, or its time in flight ran out).
 *
 * <p>Thread-safe; each {@link Account} is used by the one thread reading its body.
 */
public final class BodyBudget {
  /** How long a wait lasts before it looks whether its input was abandoned. */
  private static final long WAIT_MILLIS = 50;

  /** What the budget is of a fetcher that sets none: shared, a quarter of the heap. */
  private static final class Shared {
    static final BodyBudget INSTANCE = new BodyBudget(defaultBytes());
  }

  private final long capacity;
  private long available; // guarded by this
  private @Nullable Account lane; // guarded by this

  /**
   * @param capacity the bytes of bodies held at once, not negative
   */
  public BodyBudget(long capacity) {
    this.capacity = capacity;
    this.available = capacity;
  }

  /** The budget of every fetcher that sets none of its own: a quarter of the heap. */
  public static BodyBudget shared() {
    return Shared.INSTANCE;
  }

  /** A quarter of the heap's maximum, or 1 GiB when the heap has none. */
  public static long defaultBytes() {
    long max = Runtime.getRuntime().maxMemory();
    return max == Long.MAX_VALUE ? 1L << 30 : max / 4;
  }

  public long capacity() {
    return capacity;
  }

  /** The account of one body about to be read; {@code abandoned} says when to stop waiting. */
  Account open(BooleanSupplier abandoned) {
    return new Account(abandoned);
  }

  /** Bytes free now; for tests. */
  synchronized long available() {
    return available;
  }

  /** Takes {@code want} bytes for {@code account} if free, else at least {@code min}, or waits. */
  private synchronized void take(Account account, long min, long want)
      throws InterruptedIOException {
    while (true) {
      if (lane == account) {
        return;
      }
      if (available >= min) {
        long bytes = Math.min(available, want);
        available -= bytes;
        account.held += bytes;
        return;
      }
      if (lane == null) {
        lane = account;
        account.inLane = true;
        return;
      }
      if (account.abandoned.getAsBoolean()) {
        throw new InterruptedIOException("abandoned while waiting for memory for its body");
      }
      try {
        wait(WAIT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for memory for its body");
      }
    }
  }

  private synchronized void release(Account account) {
    available += account.held;
    account.held = 0;
    if (lane == account) {
      lane = null;
      account.inLane = false;
    }
    notifyAll();
  }

  /** The bytes one body holds of the budget. Closing it gives them back. */
  final class Account implements AutoCloseable {
    private final BooleanSupplier abandoned;
    private long held; // written under the budget's lock, by the account's own thread only
    private boolean inLane;

    private Account(BooleanSupplier abandoned) {
      this.abandoned = abandoned;
    }

    /**
     * Makes sure the body may hold {@code bytes} in all: takes what it lacks (and {@code ahead}
     * more, so as not to come back for every read), waiting if the budget has none free.
     *
     * @throws InterruptedIOException if the input was abandoned, or the thread interrupted, while
     *     it waited
     */
    void cover(long bytes, long ahead) throws InterruptedIOException {
      if (inLane || held >= bytes) {
        return;
      }
      take(this, bytes - held, bytes - held + ahead);
    }

    @Override
    public void close() {
      if (held > 0 || inLane) {
        release(this);
      }
    }
  }
}
