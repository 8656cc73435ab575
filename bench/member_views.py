#!/usr/bin/env python3
"""Benchmark: what a workspace member's lists cost, against an org admin's.

Registers --count connections spread over 20 environments (each connection in one), assigns two
of the environments to a workspace and adds a member to it. Then times, for the member and for
the admin, a page of GET /api/connections, a search, GET /api/environments, and the workspace's
effective connections: the member's lists are bounded by subqueries through
workspace_members → workspace_environments → environment_connections.

    make build && python3 bench/member_views.py --count 10000
"""
import argparse
import concurrent.futures
import sys
import time

from common import call, cli, meshenv, report, timed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/meshenv")
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()

    with meshenv(args.bin, args.db) as (base, admin):
        envs = [call(base, admin, "POST", "/api/environments", {"name": f"env-{i:02d}"})[1]["id"] for i in range(20)]

        def register(i):
            return call(base, admin, "POST", "/api/connections",
                        {"name": f"conn-{i:06d}", "kind": "http", "url": f"http://svc-{i}.example"})[1]["id"]

        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            ids = list(pool.map(register, range(args.count)))
        for n, env in enumerate(envs):
            call(base, admin, "PATCH", f"/api/environments/{env}/connections", {"add": ids[n::len(envs)]})
        print(f"registered {args.count} connections in {time.perf_counter() - t0:.1f} s on {(args.db or 'sqlite').split(':')[0]}")

        _, ws = call(base, admin, "POST", "/api/workspaces", {"name": "team"})
        call(base, admin, "PATCH", f"/api/workspaces/{ws['id']}/environments", {"add": envs[:2]})
        cli(args.bin, "user", "create", "--org", "default", "--email", "member@example.com", "--role", "member",
            "--password", "bench-member-password")
        call(base, admin, "POST", f"/api/workspaces/{ws['id']}/members", {"email": "member@example.com"})
        member = cli(args.bin, "token", "create", "--user", "member@example.com", "--name", "bench")
        _, page = call(base, member, "GET", "/api/connections")
        print(f"the member reaches {page['total_count']} of {args.count} connections")

        for who, token in (("admin", admin), ("member", member)):
            report(f"{who}: connections page 5", timed(lambda: call(base, token, "GET", "/api/connections?page=5"), 50))
            report(f"{who}: connections search", timed(lambda: call(base, token, "GET", "/api/connections?search=conn-0001"), 50))
            report(f"{who}: environments", timed(lambda: call(base, token, "GET", "/api/environments"), 50))
            report(f"{who}: workspace connections", timed(
                lambda: call(base, token, "GET", f"/api/workspaces/{ws['id']}/connections?page=3"), 50))


if __name__ == "__main__":
    sys.exit(main())
