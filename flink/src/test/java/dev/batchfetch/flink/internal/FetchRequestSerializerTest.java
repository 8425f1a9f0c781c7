package dev.batchfetch.flink.internal;

import dev.batchfetch.FetchRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.junit.jupiter.api.Timeout;

/** {@link FetchRequestSerializer} under Flink's own serializer test suite. */
@Timeout(30)
class FetchRequestSerializerTest extends SerializerTestBase<FetchRequest> {

  @Override
  protected TypeSerializer<FetchRequest> createSerializer() {
    return FetchRequestSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<FetchRequest> getTypeClass() {
    return FetchRequest.class;
  }

  @Override
  protected FetchRequest[] getTestData() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("X-B", List.of("2"));
    headers.put("Accept", List.of("application/json", "text/plain"));
    return new FetchRequest[] {
      FetchRequest.get("http://127.0.0.1/id/1"),
      FetchRequest.get("not a url at all"),
      new FetchRequest("PUT", "http://127.0.0.1/items/1", headers, null, null),
      FetchRequest.of("POST", "http://127.0.0.1/items")
          .withHeader("Authorization", "Bearer x")
          .withBody("{\"name\":\"é\"}".getBytes(StandardCharsets.UTF_8), "application/json"),
      FetchRequest.of("POST", "http://127.0.0.1/empty").withBody(new byte[0], "text/plain")
    };
  }
}
