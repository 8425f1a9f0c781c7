package dev.batchfetch.flink;

import dev.batchfetch.Result;
import java.io.Serializable;

/**
 * Makes the output element from an input element and its result, to keep an identifier of the input
 * beside its result, say. Shipped with the job, so it must be serializable.
 *
 * @param <IN> the input stream's element type
 * @param <OUT> the output stream's element type
 */
@FunctionalInterface
public interface ResultMapper<IN, OUT> extends Serializable {
  /**
   * The output for {@code element} and its {@code result}. An exception thrown here fails the
   * element as any exception of a Flink user function does: the job restarts from its last
   * checkpoint, by its restart strategy.
   */
  OUT toOutput(IN element, Result result);
}
