package dev.batchfetch.flink.internal;

import dev.batchfetch.FetchRequest;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import org.jspecify.annotations.Nullable;

/**
 * Flink's serializer of {@link FetchRequest}: method, URL, headers in their order, body (or none)
 * and content type (or none). Requests are immutable, so copies are the same instance. Stateless
 * and thread-safe.
 */
public final class FetchRequestSerializer extends TypeSerializerSingleton<FetchRequest> {
  private static final long serialVersionUID = 1L;

  /** The one instance. */
  public static final FetchRequestSerializer INSTANCE = new FetchRequestSerializer();

  private static final FetchRequest EMPTY = FetchRequest.get("");

  private FetchRequestSerializer() {}

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public FetchRequest createInstance() {
    return EMPTY;
  }

  @Override
  public FetchRequest copy(FetchRequest from) {
    return from;
  }

  @Override
  public FetchRequest copy(FetchRequest from, FetchRequest reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(FetchRequest request, DataOutputView out) throws IOException {
    StringValue.writeString(request.method(), out);
    StringValue.writeString(request.url(), out);
    Fields.writeHeaders(request.headers(), out);
    byte[] body = request.body();
    out.writeBoolean(body != null);
    if (body != null) {
      Fields.writeBytes(body, out);
    }
    StringValue.writeString(request.contentType(), out);
  }

  // NullAway does not read the type-use @Nullable of FetchRequest's compiled array component.
  @SuppressWarnings("NullAway")
  @Override
  public FetchRequest deserialize(DataInputView in) throws IOException {
    String method = StringValue.readString(in);
    String url = StringValue.readString(in);
    Map<String, List<String>> headers = Fields.readHeaders(in, new LinkedHashMap<>());
    byte @Nullable [] body = in.readBoolean() ? Fields.readBytes(in) : null;
    String contentType = StringValue.readString(in);
    if (method == null || url == null) {
      throw new IOException("not a serialized FetchRequest: no method or URL");
    }
    try {
      return new FetchRequest(method, url, headers, body, contentType);
    } catch (IllegalArgumentException e) {
      throw new IOException("not a serialized FetchRequest: " + e.getMessage(), e);
    }
  }

  @Override
  public FetchRequest deserialize(FetchRequest reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public TypeSerializerSnapshot<FetchRequest> snapshotConfiguration() {
    return new FetchRequestSerializerSnapshot();
  }

  /** Restores {@link FetchRequestSerializer#INSTANCE} from a checkpoint or savepoint. */
  public static final class FetchRequestSerializerSnapshot
      extends SimpleTypeSerializerSnapshot<FetchRequest> {
    /** For Flink, which instantiates snapshots by reflection. */
    public FetchRequestSerializerSnapshot() {
      super(() -> INSTANCE);
    }
  }
}
