package dev.batchfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(30)
class ResultsInOrderTest {
  @RegisterExtension final NoLeaks leaks = new NoLeaks();
  @StartStop private final MockWebServer server = Servers.noDelay();

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void returnsOneResultPerUrlInInputOrder(ExecutionPolicy policy) {
    server.setDispatcher(new IdDispatcher());
    List<String> urls = Urls.ids(server, 50);

    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());
    List<Result> results = fetcher.fetchAll(urls).join();

    assertThat(results).hasSize(50);
    for (int i = 0; i < 50; i++) {
      Result result = results.get(i);
      assertThat(result.index()).isEqualTo(i);
      assertThat(result.url()).isEqualTo(urls.get(i));
      assertThat(result.isSuccess()).as("%s", result).isTrue();
      assertThat(result.status()).isEqualTo(200);
      assertThat(result.text()).isEqualTo(Integer.toString(i));
    }
    NoLeaks.closeAndCheck(fetcher);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#concurrent")
  void keepsInputOrderWhenResponsesCompleteInReverse(ExecutionPolicy policy) throws Exception {
    // /id/0 is answered only after /id/1..3 were answered, so the responses finish out of order.
    CountDownLatch othersAnswered = new CountDownLatch(3);
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            String id = request.getUrl().pathSegments().get(1);
            if (id.equals("0")) {
              assertThat(othersAnswered.await(10, TimeUnit.SECONDS)).isTrue();
            } else {
              othersAnswered.countDown();
            }
            return new MockResponse.Builder().body(id).build();
          }
        });
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());

    List<Result> results = fetcher.fetchAll(Urls.ids(server, 4)).get(10, TimeUnit.SECONDS);

    assertThat(results).extracting(Result::text).containsExactly("0", "1", "2", "3");
    assertThat(results).extracting(Result::index).containsExactly(0, 1, 2, 3);
    NoLeaks.closeAndCheck(fetcher);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void fetchesDuplicatesOncePerOccurrence(ExecutionPolicy policy) {
    IdDispatcher dispatcher = new IdDispatcher();
    server.setDispatcher(dispatcher);
    String one = server.url("/id/1").toString();
    String two = server.url("/id/2").toString();
    List<String> urls = List.of(one, two, one, one, two);
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());

    List<Result> results = fetcher.fetchAll(urls).join();

    assertThat(results).extracting(Result::url).containsExactlyElementsOf(urls);
    assertThat(results).extracting(Result::text).containsExactly("1", "2", "1", "1", "2");
    assertThat(dispatcher.requestCount()).isEqualTo(5);
    NoLeaks.closeAndCheck(fetcher);
  }

  @ParameterizedTest
  @MethodSource("dev.batchfetch.Policies#all")
  void completesAnEmptyBatchWithAnEmptyList(ExecutionPolicy policy) {
    BatchFetcher fetcher = leaks.track(BatchFetcher.builder().policy(policy).build());

    assertThat(fetcher.fetchAll(List.of())).isCompletedWithValue(List.of());
    assertThat(fetcher.fetchAllRequests(List.of())).isCompletedWithValue(List.of());
    NoLeaks.closeAndCheck(fetcher);
  }

  @Test
  void rejectsANullListAtOnceNamingTheParameter() {
    BatchFetcher fetcher = leaks.track(BatchFetcher.sequential());

    assertThatThrownBy(() -> fetcher.fetchAll(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("urls");
    assertThatThrownBy(() -> fetcher.fetchAllRequests(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("requests");
    NoLeaks.closeAndCheck(fetcher);
  }

  @Test
  void copiesTheInputListSoLaterChangesDoNotAffectTheBatch() {
    CountDownLatch release = new CountDownLatch(1);
    server.setDispatcher(new IdDispatcher(release));
    List<String> urls = new ArrayList<>(Urls.ids(server, 3));
    BatchFetcher fetcher = leaks.track(BatchFetcher.async(1));

    var future = fetcher.fetchAll(urls);
    urls.clear();
    release.countDown();

    assertThat(future.join()).extracting(Result::text).containsExactly("0", "1", "2");
    NoLeaks.closeAndCheck(fetcher);
  }
}
