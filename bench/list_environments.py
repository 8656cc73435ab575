#!/usr/bin/env python3
"""Benchmark: environment creation and list queries against a real meshenv server.

Starts the given meshenv binary on a free loopback port with a throwaway database, creates
--count environments through the REST API, then times list queries (default order, name order,
search, tag filter, a deep page) and prints count, p50, p95 and max latency for each.

    make build && python3 bench/list_environments.py --bin target/release/meshenv --count 10000
    python3 bench/list_environments.py --db postgres://postgres@127.0.0.1:5432/meshenv_bench

Only loopback traffic; every loop is bounded by --count and --requests.
"""
import argparse
import concurrent.futures
import json
import sys
import time
import urllib.parse

from common import call, meshenv, report, timed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/meshenv")
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()

    with meshenv(args.bin, args.db) as (base, token):
        tags = [["prod", "us-east"], ["prod"], ["staging"], []]
        t0 = time.perf_counter()
        create_ms = []

        def create(i):
            t = time.perf_counter()
            call(base, token, "POST", "/api/environments",
                 {"name": f"env-{i:06d}", "description": f"bench environment number {i}", "tags": tags[i % 4]})
            return (time.perf_counter() - t) * 1000

        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            create_ms = list(pool.map(create, range(args.count)))
        elapsed = time.perf_counter() - t0
        print(f"created {args.count} environments in {elapsed:.1f} s "
              f"({args.count / elapsed:.0f}/s with {args.concurrency} clients) on {(args.db or 'sqlite').split(':')[0]}")
        report("POST /api/environments", create_ms)

        f = urllib.parse.quote(json.dumps({"tags": ["prod", "us-east"]}))
        queries = {
            "list, default order": "/api/environments",
            "list, order=name asc, 100/page": "/api/environments?order=name%20asc&pagesize=100",
            "search (substring)": "/api/environments?search=number%2012",
            "filter tags (all of 2)": f"/api/environments?filter={f}",
            "deep page (page 400 of 20)": "/api/environments?page=400",
        }
        for name, path in queries.items():
            report(name, timed(lambda: call(base, token, "GET", path), args.requests))


if __name__ == "__main__":
    sys.exit(main())
