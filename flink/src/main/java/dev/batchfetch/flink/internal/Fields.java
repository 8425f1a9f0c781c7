package dev.batchfetch.flink.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/** How the serializers write the fields that {@code Result} and {@code FetchRequest} share. */
final class Fields {
  private Fields() {}

  static void writeHeaders(Map<String, List<String>> headers, DataOutputView out)
      throws IOException {
    out.writeInt(headers.size());
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      StringValue.writeString(header.getKey(), out);
      out.writeInt(header.getValue().size());
      for (String value : header.getValue()) {
        StringValue.writeString(value, out);
      }
    }
  }

  static Map<String, List<String>> readHeaders(DataInputView in, Map<String, List<String>> into)
      throws IOException {
    int count = count(in.readInt());
    for (int i = 0; i < count; i++) {
      String name = StringValue.readString(in);
      int values = count(in.readInt());
      List<String> list = new ArrayList<>(Math.min(values, 16));
      for (int j = 0; j < values; j++) {
        list.add(StringValue.readString(in));
      }
      into.put(name, list);
    }
    return into;
  }

  static void writeBytes(byte[] bytes, DataOutputView out) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  static byte[] readBytes(DataInputView in) throws IOException {
    byte[] bytes = new byte[count(in.readInt())];
    in.readFully(bytes);
    return bytes;
  }

  static void writeDuration(Duration duration, DataOutputView out) throws IOException {
    out.writeLong(duration.getSeconds());
    out.writeInt(duration.getNano());
  }

  static Duration readDuration(DataInputView in) throws IOException {
    long seconds = in.readLong();
    return Duration.ofSeconds(seconds, in.readInt());
  }

  /** The class loader of the task's user code, where Flink runs one. */
  static ClassLoader classLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : Fields.class.getClassLoader();
  }

  private static int count(int count) throws IOException {
    if (count < 0) {
      throw new IOException("negative count " + count + ": not data of this serializer");
    }
    return count;
  }
}
