package dev.batchfetch.flink;

import java.io.Serializable;
import java.util.function.Consumer;

/**
 * A {@link Consumer} that Flink can ship to its task managers with the job: a lambda given where
 * this type is expected is serializable if everything it captures is.
 *
 * @param <T> what it accepts
 */
@FunctionalInterface
public interface SerializableConsumer<T> extends Consumer<T>, Serializable {}
