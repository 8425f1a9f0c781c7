#!/usr/bin/env bash
# Builds the benchmarks module and runs the whole suite, writing docs/benchmarks.md and
# docs/benchmarks.svg:
#
#   benchmarks/run.sh           the full run, for the published numbers (see docs/benchmarks.md)
#   benchmarks/run.sh --quick   smaller sizes and fewer runs, to try the command out
#
# Other options go to the suite: --concurrency N (default 100), --only W1,W3,OH,UQ, --no-jmh,
# --out FILE. Run it on a quiet machine: every client shares the cores with the servers.
# OH, batchfetch against raw OkHttp in one JVM, also runs alone: benchmarks/overhead.sh.
# On Java 21 or later, java -Dbatchfetch.bench.executor=virtual -jar
# benchmarks/target/batchfetch-benchmarks.jar runs batchfetch's blocking policies on virtual
# threads (the clients' JVMs get the property too).
# UQ, an unknown quota (quota discovery against fixed guesses and no limiter, 60 s per server,
# docs/benchmarks-uq.svg the learned rate over time), also runs alone:
#   java -cp benchmarks/target/batchfetch-benchmarks.jar dev.batchfetch.benchmarks.UnknownQuota
#
# As root it first installs what batchfetch is compared with, from Debian's packages: nginx,
# wrk, python3-requests, python3-aiohttp (unless BATCHFETCH_BENCH_NO_INSTALL is set). Whatever is
# missing is skipped, with a note in the report.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

install_missing() {
  local missing=()
  [[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null || missing+=(nginx)
  command -v wrk >/dev/null || missing+=(wrk)
  # Debian's python3, not a pyenv build on the PATH: only it sees Debian's modules.
  /usr/bin/python3 -c 'import requests' 2>/dev/null || missing+=(python3-requests)
  /usr/bin/python3 -c 'import aiohttp' 2>/dev/null || missing+=(python3-aiohttp)
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 || -n ${BATCHFETCH_BENCH_NO_INSTALL:-} ]]; then
    echo "run.sh: not installing ${missing[*]}; their rows are skipped" >&2
    return 0
  fi
  # nginx's postinst would start the distribution's server on port 80: a policy-rc.d that exits
  # 101 forbids that (Docker images ship one already; keep theirs).
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
    </dev/null; then
    echo "run.sh: apt-get could not install ${missing[*]}; their rows are skipped" >&2
  fi
}

install_missing
mvn -B -q -Pbenchmarks -pl benchmarks -am -DskipTests package
exec java -jar benchmarks/target/batchfetch-benchmarks.jar "$@"
