package dev.batchfetch.internal.batch;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The tag of every request a fetcher makes, which its owner (the exchange that sends it) is written
 * into, so that OkHttp's interceptors find the owner of a request without the request being copied
 * to carry it; and where the network layer keeps a header it hides from OkHttp's own follow-up
 * logic for the transport to put back. Thread-safe.
 */
public final class RequestTag {
  private final @Nullable Object users;
  private volatile @Nullable Object owner;
  private volatile @Nullable List<String> hiddenRetryAfter;

  /**
   * @param users the tag of the caller's request, handed back on its result; null for none
   */
  public RequestTag(@Nullable Object users) {
    this.users = users;
  }

  /** The tag of the caller's request, or null. */
  public @Nullable Object users() {
    return users;
  }

  /** Records {@code owner} as the one the request belongs to. */
  public void own(Object owner) {
    this.owner = owner;
  }

  public @Nullable Object owner() {
    return owner;
  }

  /** Keeps the {@code Retry-After} lines of the response now arriving, hidden from OkHttp. */
  public void hideRetryAfter(List<String> values) {
    hiddenRetryAfter = values;
  }

  /** The lines {@link #hideRetryAfter} kept for the response now arriving, once; else null. */
  public @Nullable List<String> takeHiddenRetryAfter() {
    List<String> values = hiddenRetryAfter;
    hiddenRetryAfter = null;
    return values;
  }
}
