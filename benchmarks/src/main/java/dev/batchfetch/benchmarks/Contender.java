package dev.batchfetch.benchmarks;

/** The clients compared, and what each needs to run. */
enum Contender {
  BATCHFETCH_SEQUENTIAL("batchfetch sequential()", Kind.JVM),
  BATCHFETCH_POOL("batchfetch pool(C)", Kind.JVM),
  BATCHFETCH_ASYNC("batchfetch async(C)", Kind.JVM),
  OKHTTP_EXECUTE("OkHttp execute() loop", Kind.JVM),
  OKHTTP_ENQUEUE_DEFAULT("OkHttp enqueue, default dispatcher", Kind.JVM),
  OKHTTP_ENQUEUE_TUNED("OkHttp enqueue, tuned", Kind.JVM),
  JDK_HTTPCLIENT("JDK HttpClient sendAsync, window C", Kind.JVM),
  PYTHON_REQUESTS("Python requests loop", Kind.PYTHON),
  PYTHON_THREADS("Python ThreadPoolExecutor(C) + requests", Kind.PYTHON),
  PYTHON_AIOHTTP("Python asyncio + aiohttp (C)", Kind.PYTHON),
  WRK("wrk -c C (ceiling)", Kind.WRK);

  /** How a contender runs: a fresh JVM, a Python process, or wrk. */
  enum Kind {
    JVM,
    PYTHON,
    WRK
  }

  private final String label;
  private final Kind kind;

  Contender(String label, Kind kind) {
    this.label = label;
    this.kind = kind;
  }

  Kind kind() {
    return kind;
  }

  /** The name in the report, with {@code C} replaced by the concurrency. */
  String label(int concurrency) {
    return label.replace("(C)", "(" + concurrency + ")").replace(" C", " " + concurrency);
  }

  /** The name on the command line of a client process: {@code batchfetch-async}. */
  String id() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  static Contender ofId(String id) {
    for (Contender c : values()) {
      if (c.id().equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException("no contender " + id);
  }

  /** How many calls this contender has in flight at most, given the concurrency asked for. */
  int width(int concurrency) {
    return switch (this) {
      case BATCHFETCH_SEQUENTIAL, OKHTTP_EXECUTE, PYTHON_REQUESTS -> 1;
      case OKHTTP_ENQUEUE_DEFAULT -> Math.min(5, concurrency); // OkHttp's maxRequestsPerHost
      default -> concurrency;
    };
  }
}
