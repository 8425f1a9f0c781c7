package dev.batchfetch.flink.internal;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.SerializedThrowable;
import org.jspecify.annotations.Nullable;

/**
 * Flink's serializer of {@link Result}, field by field: the body as bytes, the headers as names and
 * values, durations as seconds and nanoseconds, the error kind by name (an unknown name reads as
 * {@link ErrorKind#UNEXPECTED}), and the exception as Flink's {@link SerializedThrowable}, which
 * any exception survives, serializable or not: it reads back as the original exception when its
 * class is there to load it, else as the {@code SerializedThrowable}, whose message and stack trace
 * are the original's.
 *
 * <p>Results are immutable, so copies are the same instance. Stateless and thread-safe.
 */
public final class ResultSerializer extends TypeSerializerSingleton<Result> {
  private static final long serialVersionUID = 1L;

  /** The one instance. */
  public static final ResultSerializer INSTANCE = new ResultSerializer();

  private static final Result EMPTY =
      new Result(
          0,
          null,
          0,
          Map.of(),
          new byte[0],
          Duration.ZERO,
          0,
          Duration.ZERO,
          ErrorKind.UNEXPECTED,
          null);

  private ResultSerializer() {}

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public Result createInstance() {
    return EMPTY;
  }

  @Override
  public Result copy(Result from) {
    return from;
  }

  @Override
  public Result copy(Result from, Result reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(Result result, DataOutputView out) throws IOException {
    out.writeInt(result.index());
    StringValue.writeString(result.url(), out);
    out.writeInt(result.status());
    Fields.writeHeaders(result.headers(), out);
    Fields.writeBytes(result.body(), out);
    Fields.writeDuration(result.elapsed(), out);
    out.writeInt(result.attempts());
    Fields.writeDuration(result.admissionWait(), out);
    ErrorKind error = result.error();
    StringValue.writeString(error == null ? null : error.name(), out);
    writeThrowable(result.exception(), out);
  }

  @Override
  public Result deserialize(DataInputView in) throws IOException {
    int index = in.readInt();
    String url = StringValue.readString(in);
    int status = in.readInt();
    Map<String, List<String>> headers = Fields.readHeaders(in, new LinkedHashMap<>());
    byte[] body = Fields.readBytes(in);
    Duration elapsed = Fields.readDuration(in);
    int attempts = in.readInt();
    Duration admissionWait = Fields.readDuration(in);
    String errorName = StringValue.readString(in);
    Throwable exception = readThrowable(in);
    try {
      return new Result(
          index,
          url,
          status,
          headers,
          body,
          elapsed,
          attempts,
          admissionWait,
          errorName == null ? null : errorKind(errorName),
          exception);
    } catch (IllegalArgumentException e) {
      throw new IOException("not a serialized Result: " + e.getMessage(), e);
    }
  }

  @Override
  public Result deserialize(Result reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public TypeSerializerSnapshot<Result> snapshotConfiguration() {
    return new ResultSerializerSnapshot();
  }

  private static ErrorKind errorKind(String name) {
    try {
      return ErrorKind.valueOf(name);
    } catch (IllegalArgumentException e) {
      return ErrorKind.UNEXPECTED; // written by a later version of batchfetch
    }
  }

  private static void writeThrowable(@Nullable Throwable exception, DataOutputView out)
      throws IOException {
    if (exception == null) {
      out.writeBoolean(false);
      return;
    }
    SerializedThrowable serialized =
        exception instanceof SerializedThrowable alreadySerialized
            ? alreadySerialized
            : new SerializedThrowable(exception);
    out.writeBoolean(true);
    Fields.writeBytes(InstantiationUtil.serializeObject(serialized), out);
  }

  private static @Nullable Throwable readThrowable(DataInputView in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    byte[] bytes = Fields.readBytes(in);
    ClassLoader loader = Fields.classLoader();
    try {
      SerializedThrowable serialized = InstantiationUtil.deserializeObject(bytes, loader);
      return serialized.deserializeError(loader);
    } catch (ClassNotFoundException | ClassCastException e) {
      throw new IOException("not a serialized exception", e);
    }
  }

  /** Restores {@link ResultSerializer#INSTANCE} from a checkpoint or savepoint. */
  public static final class ResultSerializerSnapshot extends SimpleTypeSerializerSnapshot<Result> {
    /** For Flink, which instantiates snapshots by reflection. */
    public ResultSerializerSnapshot() {
      super(() -> INSTANCE);
    }
  }
}
