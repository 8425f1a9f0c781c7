#!/usr/bin/env bash
# What batchfetch costs over raw OkHttp, measured in one JVM (issue 10's figure): builds this
# checkout (core and the benchmarks, -Pbenchmarks), starts nginx on loopback and runs
# dev.batchfetch.benchmarks.Overhead: batchfetch async(100) against raw OkHttp enqueue with a window
# of 100, 20,000 URLs, 3 warm-up runs of each, then 5 measured runs of each, alternating; it prints
# the medians, the fastest and slowest runs, and the ratio batchfetch / raw.
#
#   benchmarks/overhead.sh                    the comparison (about a minute on 2 cores)
#   benchmarks/overhead.sh --profile async    the same, each measured run recorded by
#                                             async-profiler (CPU with native and kernel frames,
#                                             allocations), summed up in DIR/summary.txt
#   benchmarks/overhead.sh --profile jfr      the same with the JDK's Flight Recorder (Java frames
#                                             of running Java threads only)
#   benchmarks/overhead.sh summarize NAME=FILE.jfr[,FILE.jfr...] [NAME=DIR ...]
#                                             sums up recordings, any .jfr with CPU samples
#
# Options: --count N (20000), --concurrency C (100), --warmups W (3), --runs R (5), --reuse (one
# client of each kind for all runs, instead of a new one per run), --listeners (two more sides,
# alternating with the others: batchfetch with a no-op event listener and with the Micrometer one,
# BatchFetcherMetrics on a SimpleMeterRegistry), --profile-dir DIR
# (benchmarks/target/overhead-MODE), --url-prefix URL (a running server's http://HOST:PORT/id/
# instead of a new nginx). BATCHFETCH_BENCH_NO_BUILD=1 skips the build; BATCHFETCH_BENCH_JVM_OPTS
# adds JVM options (for example -Xlog:gc:file=gc.log, or -Xmn600m to see what GC costs).
#
# The machine's load is printed before and after: the 2 cores are shared, and a busy neighbour
# shows in the times. The suite (benchmarks/run.sh) runs the same comparison as its part "OH".
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z ${BATCHFETCH_BENCH_NO_BUILD:-} ]]; then
  mvn -B -q -Pbenchmarks -pl benchmarks -am -DskipTests package
fi
jar=benchmarks/target/batchfetch-benchmarks.jar
options=(-Xmx1g -XX:+UseG1GC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
# shellcheck disable=SC2206 # split on purpose: several options in one variable
options+=(${BATCHFETCH_BENCH_JVM_OPTS:-})

if [[ ${1:-} == summarize ]]; then
  shift
  exec java -cp "$jar" dev.batchfetch.benchmarks.JfrSummary "$@"
fi
if [[ " $* " == *" --profile "* ]]; then
  # Stacks where the JIT inlined code, not only at safepoints: the profile's frames are right.
  options+=(-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints)
fi

echo "load before: $(uptime)"
status=0
java "${options[@]}" -cp "$jar" dev.batchfetch.benchmarks.Overhead "$@" || status=$?
echo "load after: $(uptime)"
exit "$status"
