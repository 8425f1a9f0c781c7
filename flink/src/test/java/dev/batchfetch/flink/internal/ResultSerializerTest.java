package dev.batchfetch.flink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.ErrorKind;
import dev.batchfetch.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;
import org.apache.flink.util.SerializedThrowable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ResultSerializer} under Flink's own serializer test suite (copies, sequences, snapshots,
 * duplicates, serializability), and what becomes of exceptions on the way.
 */
@Timeout(30)
class ResultSerializerTest extends SerializerTestBase<Result> {

  ResultSerializerTest() {
    super(
        new DeeplyEqualsChecker()
            .withCustomCheck(
                (a, b) -> a instanceof Result && b instanceof Result,
                (a, b, checker) -> alike((Result) a, (Result) b)));
  }

  /** Every field alike; exceptions by class name and message, as {@link #deepEquals} checks. */
  private static boolean alike(Result should, Result is) {
    try {
      deepEqualResults("", should, is);
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }

  @Override
  protected TypeSerializer<Result> createSerializer() {
    return ResultSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<Result> getTypeClass() {
    return Result.class;
  }

  @Override
  protected Result[] getTestData() {
    return new Result[] {
      new Result(
          7,
          "http://127.0.0.1:8080/id/7",
          200,
          Map.of("content-type", List.of("text/plain; charset=utf-8"), "x-a", List.of("1", "2")),
          "héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8),
          Duration.ofMillis(123),
          2,
          Duration.ofNanos(456_789),
          null,
          null),
      new Result(
          0,
          "http://127.0.0.1:8080/gone",
          404,
          Map.of(),
          new byte[] {1, 2, 3},
          Duration.ofSeconds(1),
          1,
          Duration.ZERO,
          ErrorKind.HTTP_STATUS,
          null),
      new Result(
          3,
          "http://10.255.255.1/",
          0,
          Map.of(),
          new byte[0],
          Duration.ofSeconds(10),
          3,
          Duration.ofMillis(5),
          ErrorKind.TIMEOUT,
          new SocketTimeoutException("timeout")),
      new Result(
          0,
          null,
          0,
          Map.of(),
          new byte[0],
          Duration.ZERO,
          0,
          Duration.ZERO,
          ErrorKind.INVALID_URL,
          new IllegalArgumentException("no URL")),
      new Result(
          1,
          "http://x/" + "a".repeat(70_000), // longer than writeUTF allows
          0,
          Map.of(),
          new byte[100_000],
          Duration.ofDays(3650),
          0,
          Duration.ZERO,
          ErrorKind.UNEXPECTED,
          new NotSerializable("boom", new IOException("inner")))
    };
  }

  /** Every field alike; exceptions by (original) class name and message. */
  @Override
  protected void deepEquals(String message, Result should, Result is) {
    deepEqualResults(message, should, is);
  }

  private static void deepEqualResults(String message, Result should, Result is) {
    assertThat(is.index()).as(message).isEqualTo(should.index());
    assertThat(is.url()).as(message).isEqualTo(should.url());
    assertThat(is.status()).as(message).isEqualTo(should.status());
    assertThat(is.headers()).as(message).isEqualTo(should.headers());
    assertThat(is.body()).as(message).isEqualTo(should.body());
    assertThat(is.elapsed()).as(message).isEqualTo(should.elapsed());
    assertThat(is.attempts()).as(message).isEqualTo(should.attempts());
    assertThat(is.admissionWait()).as(message).isEqualTo(should.admissionWait());
    assertThat(is.error()).as(message).isEqualTo(should.error());
    if (should.exception() == null || is.exception() == null) {
      assertThat(is.exception()).as(message).isSameAs(should.exception());
    } else {
      assertThat(originalClass(is.exception()))
          .as(message)
          .isEqualTo(originalClass(should.exception()));
      String a = String.valueOf(should.exception().getMessage());
      String b = String.valueOf(is.exception().getMessage());
      assertThat(a.endsWith(b) || b.endsWith(a)).as(message + ": " + a + " / " + b).isTrue();
    }
  }

  /** The class of an exception, or of the one a {@link SerializedThrowable} stands for. */
  private static String originalClass(Throwable exception) {
    return exception instanceof SerializedThrowable serialized
        ? serialized.getOriginalErrorClassName()
        : exception.getClass().getName();
  }

  @Test
  void anExceptionComesBackAsItselfWhenItCanAndAsItsDescriptionWhenNot() throws IOException {
    Result[] data = getTestData();

    Result timeout = roundTrip(data[2]);
    assertThat(timeout.exception())
        .isInstanceOf(SocketTimeoutException.class)
        .hasMessage("timeout");
    assertThat(timeout.exception().getStackTrace()).isEqualTo(data[2].exception().getStackTrace());

    Result unexpected = roundTrip(data[4]);
    assertThat(unexpected.exception())
        .isInstanceOf(SerializedThrowable.class)
        .hasMessageContaining("boom");
    assertThat(((SerializedThrowable) unexpected.exception()).getOriginalErrorClassName())
        .isEqualTo(NotSerializable.class.getName());
    assertThat(unexpected.exception().getCause()).hasMessageContaining("inner");
  }

  @Test
  void anErrorKindThisVersionDoesNotKnowReadsAsUnexpected() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    ResultSerializer.INSTANCE.serialize(getTestData()[1], out);
    byte[] bytes = out.getCopyOfBuffer();
    String written = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    int at = written.indexOf("HTTP_STATUS");
    assertThat(at).isPositive();
    System.arraycopy(
        "HTTP_STATUZ".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, bytes, at, 11);

    Result read = ResultSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));

    assertThat(read.error()).isEqualTo(ErrorKind.UNEXPECTED);
    assertThat(read.status()).isEqualTo(404);
  }

  private static Result roundTrip(Result result) {
    try {
      DataOutputSerializer out = new DataOutputSerializer(64);
      ResultSerializer.INSTANCE.serialize(result, out);
      return ResultSerializer.INSTANCE.deserialize(
          new DataInputDeserializer(out.getCopyOfBuffer()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An exception Java serialization cannot write: it holds a thread. */
  static final class NotSerializable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings({"unused", "serial"})
    private final Thread thread = Thread.currentThread();

    NotSerializable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
