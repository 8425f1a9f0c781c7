package dev.batchfetch.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class InputLinesTest {

  @Test
  void keepsEveryLineButBlanksAndCommentsWithItsNumber() throws IOException {
    String input =
        "\uFEFFhttp://a/1\n\n  # a comment\n\t http://a/2 \r\nnot a url\n#\nhttp://a/#frag";

    assertThat(InputLines.read(new BufferedReader(new StringReader(input))))
        .containsExactly(
            new InputLines.Line(1, "http://a/1"),
            new InputLines.Line(4, "http://a/2"),
            new InputLines.Line(5, "not a url"),
            new InputLines.Line(7, "http://a/#frag"));
  }

  @Test
  void readsNothingFromAnEmptyInput() throws IOException {
    assertThat(InputLines.read(new BufferedReader(new StringReader("")))).isEmpty();
  }
}
