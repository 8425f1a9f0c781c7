package dev.batchfetch.internal.batch;

import org.jspecify.annotations.Nullable;

/**
 * The tag of every request a fetcher makes, which its owner (the exchange that sends it) is written
 * into, so that OkHttp's interceptors find the owner of a request without the request being copied
 * to carry it. Thread-safe.
 */
public final class RequestTag {
  private volatile @Nullable Object owner;

  /** Records {@code owner} as the one the request belongs to. */
  public void own(Object owner) {
    this.owner = owner;
  }

  public @Nullable Object owner() {
    return owner;
  }
}
