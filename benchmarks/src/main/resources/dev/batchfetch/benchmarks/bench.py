"""The tutorial's three Python clients, timed the way ClientMain times the JVM ones.

Run by the benchmark suite (Suite extracts this file from its jar) with Debian's python3
(python3-requests, python3-aiohttp):

    /usr/bin/python3 bench.py --client python-aiohttp --url-prefix http://127.0.0.1:PORT/id/ \
        --count 2500 --warmup-prefix ... --warmup-count 500 --warmups 2 --runs 5 \
        --concurrency 100 --max-run-seconds 60 --check-body

It prints the same "RESULT <kind> key=value ..." lines as ClientMain: one per warm-up and run,
"skip" when a run would take longer than --max-run-seconds (predicted from the last warm-up),
"over" when a measured run did take longer (it ends the measuring),
and "peak" with the most threads seen at the end of a run and the peak resident set.
"""

import argparse
import asyncio
import concurrent.futures
import gc
import sys
import threading
import time

import aiohttp
import requests
import requests.adapters


def report(kind, **values):
    print("RESULT " + kind + "".join(f" {k}={v}" for k, v in values.items()), flush=True)


def requests_loop(urls, concurrency, out):
    """One requests.Session, one call after another."""
    with requests.Session() as session:
        for i, url in enumerate(urls):
            try:
                response = session.get(url, timeout=30)
                out[i] = (response.status_code, response.text)
            except requests.RequestException:
                out[i] = (0, "")
    return threading.active_count()


def requests_threads(urls, concurrency, out):
    """ThreadPoolExecutor.map over the URLs, a requests.Session per worker thread."""
    local = threading.local()

    def fetch(i):
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=1)
            session.mount("http://", adapter)
        try:
            response = session.get(urls[i], timeout=30)
            out[i] = (response.status_code, response.text)
        except requests.RequestException:
            out[i] = (0, "")

    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(fetch, range(len(urls))))
        threads = threading.active_count()
    return threads


def aiohttp_workers(urls, concurrency, out):
    """asyncio with one aiohttp.ClientSession; `concurrency` workers take URLs in turn."""

    async def main():
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:
            next_index = iter(range(len(urls)))

            async def worker():
                for i in next_index:
                    try:
                        async with session.get(urls[i]) as response:
                            out[i] = (response.status, await response.text())
                    except aiohttp.ClientError:
                        out[i] = (0, "")

            await asyncio.gather(*(worker() for _ in range(concurrency)))

    asyncio.run(main())
    return threading.active_count()


CLIENTS = {
    "python-requests": requests_loop,
    "python-threads": requests_threads,
    "python-aiohttp": aiohttp_workers,
}


def peak_rss_kb():
    """This process's peak resident set (VmHWM), as ClientMain reads it.

    Not getrusage's ru_maxrss: Linux keeps that across exec, so a child of a big JVM would
    report the JVM's peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def run(client, urls, concurrency, check_body, kind, index):
    out = [None] * len(urls)
    start = time.perf_counter_ns()
    threads = client(urls, concurrency, out)
    nanos = time.perf_counter_ns() - start
    ok = too_many = 0
    for i, (status, body) in enumerate(out):
        if status == 200 and (not check_body or body == str(i)):
            ok += 1
        elif status == 429:
            too_many += 1
    report(kind, index=index, nanos=nanos, count=len(urls), ok=ok, too_many=too_many,
           failed=len(urls) - ok - too_many)
    return nanos, threads


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", required=True, choices=sorted(CLIENTS))
    parser.add_argument("--url-prefix", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--warmup-prefix", required=True)
    parser.add_argument("--warmup-count", type=int, required=True)
    parser.add_argument("--warmups", type=int, required=True)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--max-run-seconds", type=int, default=60)
    parser.add_argument("--check-body", action="store_true")
    args = parser.parse_args()

    report("start", threads=threading.active_count(), python=sys.version.split()[0],
           requests=requests.__version__, aiohttp=aiohttp.__version__)
    client = CLIENTS[args.client]
    warm_urls = [args.warmup_prefix + str(i) for i in range(args.warmup_count)]
    last = 0
    for i in range(args.warmups):
        last, _ = run(client, warm_urls, args.concurrency, args.check_body, "warmup", i)
    urls = [args.url_prefix + str(i) for i in range(args.count)]
    predicted = last * len(urls) // max(1, len(warm_urls))
    if predicted > args.max_run_seconds * 1_000_000_000:
        report("skip", predicted_nanos=predicted)
        return
    peak_threads = 0
    for i in range(args.runs):
        gc.collect()
        nanos, threads = run(client, urls, args.concurrency, args.check_body, "run", i)
        peak_threads = max(peak_threads, threads)
        if nanos > args.max_run_seconds * 1_000_000_000 and i + 1 < args.runs:
            report("over", index=i, nanos=nanos)  # longer than the bound: one such run says enough
            break
    report("peak", threads=peak_threads, heap_bytes=-1, rss_kb=peak_rss_kb())


if __name__ == "__main__":
    main()
