package dev.batchfetch.internal.admission;

/**
 * Sends the attempts admission lets start: OkHttp in production ({@code
 * dev.batchfetch.internal.transport}), a scripted server in virtual-time tests.
 *
 * <p>Implementations are thread-safe.
 */
public interface Transport {
  /**
   * Sends one attempt of {@code exchange}. Never throws; reports exactly once, through {@link
   * Exchange#ended}, on any thread, once the attempt is over (even if it never went out).
   */
  void send(Exchange exchange);
}
