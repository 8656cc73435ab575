#!/usr/bin/env python3
"""Benchmark: assigning connections to an environment in one batch.

Registers --count connections through the REST API, then times one PATCH that adds all of them
to an environment, one that removes them all, an assigned-side and an unassigned-side list page,
and a transfer of half of them to a second environment.

    make build && python3 bench/assign_connections.py --count 10000
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
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()

    with meshenv(args.bin, args.db) as (base, token):
        _, env = call(base, token, "POST", "/api/environments", {"name": "bench-a"})
        _, other = call(base, token, "POST", "/api/environments", {"name": "bench-b"})

        def register(i):
            return call(base, token, "POST", "/api/connections",
                        {"name": f"conn-{i:06d}", "kind": "http", "url": f"http://svc-{i}.example"})[1]["id"]

        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            ids = list(pool.map(register, range(args.count)))
        print(f"registered {args.count} connections in {time.perf_counter() - t0:.1f} s on {(args.db or 'sqlite').split(':')[0]}")

        path = f"/api/environments/{env['id']}/connections"
        report(f"PATCH add {args.count}", timed(lambda: call(base, token, "PATCH", path, {"add": ids}), 1))
        unassigned = urllib.parse.quote(json.dumps({"assigned": False}))
        report("list assigned, 20 a page", timed(lambda: call(base, token, "GET", f"{path}?page=10"), 50))
        report("list unassigned, search", timed(lambda: call(base, token, "GET", f"{path}?search=conn-0001&filter={unassigned}"), 50))
        half = ids[: len(ids) // 2]
        report(f"transfer {len(half)}", timed(lambda: call(base, token, "POST", f"{path}/transfer",
                                                             {"connection_ids": half, "to": other["id"]}), 1))
        rest = ids[len(ids) // 2:]
        report(f"PATCH remove {len(rest)}", timed(lambda: call(base, token, "PATCH", path, {"remove": rest}), 1))


if __name__ == "__main__":
    sys.exit(main())
