package dev.batchfetch.internal.transport;

import java.io.IOException;
import okhttp3.Interceptor;

/**
 * What an interceptor of the user's client threw that is not an {@code IOException}: a bug in that
 * code, carried out of OkHttp as the failure of the one call it broke.
 *
 * <p>Without it, OkHttp treats such an exception differently by how the call runs: {@code execute}
 * throws it to the caller, while {@code enqueue} cancels the call, reports an {@code
 * IOException("canceled due to ...")} to the callback, and then throws the original again on its
 * dispatcher thread, where it reaches the uncaught-exception handler. The {@link #guard()} runs
 * outermost among the client's interceptors and turns it into this exception under every policy
 * alike, so every policy gives the same result: {@code UNEXPECTED}, after one attempt, with the
 * user's exception as the result's.
 */
final class UserCodeFailure extends IOException {
  private static final long serialVersionUID = 1L;

  private UserCodeFailure(Throwable cause) {
    super("an interceptor threw " + cause, cause);
  }

  /** The application interceptor that catches what the ones inside it throw. */
  static Interceptor guard() {
    return chain -> {
      try {
        return chain.proceed(chain.request());
      } catch (RuntimeException | Error e) {
        chain.call().cancel(); // as OkHttp does: whatever the failed code held is let go
        throw new UserCodeFailure(e);
      }
    };
  }
}
