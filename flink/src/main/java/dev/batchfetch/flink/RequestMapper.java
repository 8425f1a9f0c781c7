package dev.batchfetch.flink;

import dev.batchfetch.FetchRequest;
import java.io.Serializable;

/**
 * Makes the request to send for one element of a stream. Shipped with the job, so it must be
 * serializable (a lambda is, if what it captures is).
 *
 * @param <IN> the stream's element type
 */
@FunctionalInterface
public interface RequestMapper<IN> extends Serializable {
  /**
   * The request for {@code element}. An exception thrown here becomes the element's result, of kind
   * {@link dev.batchfetch.ErrorKind#INVALID_REQUEST}, and nothing is sent.
   */
  FetchRequest toRequest(IN element);
}
