package dev.batchfetch.flink;

import dev.batchfetch.FetchRequest;
import dev.batchfetch.Result;
import dev.batchfetch.flink.internal.FetchRequestSerializer;
import dev.batchfetch.flink.internal.ResultSerializer;
import dev.batchfetch.flink.internal.ValueTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Flink type information for batchfetch's values, so that streams and state of {@link Result} and
 * {@link FetchRequest} are serialized by serializers written for them, not by Kryo.
 *
 * <pre>{@code
 * DataStream<FetchRequest> requests = urls.map(FetchRequest::get).returns(BatchfetchTypes.fetchRequest());
 * }</pre>
 *
 * <p>Why not Flink's POJO or Kryo serializers: both records check and copy their arguments in their
 * constructors and keep fields Flink has no serializer for ({@code Duration}, the headers' map of
 * lists, a {@code Throwable}). Kryo would serialize them generically, would fail on exceptions it
 * cannot rebuild, and fails the job where generic types are disabled ({@code
 * pipeline.generic-types: false}). These serializers write each field compactly, keep an exception
 * of any class (as Flink's {@code SerializedThrowable}), and are versioned for savepoints.
 *
 * <p>Stateless and thread-safe.
 */
public final class BatchfetchTypes {
  private static final TypeInformation<Result> RESULT =
      new ValueTypeInfo<>(Result.class, ResultSerializer.INSTANCE);
  private static final TypeInformation<FetchRequest> FETCH_REQUEST =
      new ValueTypeInfo<>(FetchRequest.class, FetchRequestSerializer.INSTANCE);

  private BatchfetchTypes() {}

  /** The type information of {@link Result}. */
  public static TypeInformation<Result> result() {
    return RESULT;
  }

  /** The type information of {@link FetchRequest}. */
  public static TypeInformation<FetchRequest> fetchRequest() {
    return FETCH_REQUEST;
  }
}
