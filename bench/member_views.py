#!/usr/bin/env python3
"""Benchmark: what a workspace member's lists cost, against an org admin's.

Registers --count connections spread over 20 environments (each connection in one), assigns two
of the environments to a workspace and adds a member to it. Then times, for the member and for
the admin, a page of GET /api/connections, a search, GET /api/environments, and the workspace's
effective connections: the member's lists are bounded by subqueries through
workspace_access (the workspace's members and its teams' members) → workspace_environments →
environment_connections. With --via-team the member holds the workspace through a team, one of
--teams teams they are in, instead of as a member of it.

    make build && python3 bench/member_views.py --count 10000 [--via-team --teams 50]
"""
import argparse
import concurrent.futures
import os
import shutil
import sys
import tempfile
import time

from common import call, cli, meshenv, report, timed
from load import HEADERS_LUA, wrk


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/meshenv")
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--via-team", action="store_true", help="the member holds the workspace through a team")
    ap.add_argument("--teams", type=int, default=1, help="with --via-team: how many teams the member is in")
    ap.add_argument("--clients", type=int, default=64, help="wrk clients for the member's lists under load")
    ap.add_argument("--seconds", type=int, default=10)
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
        if args.via_team:
            for t in range(args.teams):
                _, team = call(base, admin, "POST", "/api/teams", {"name": f"team-{t:03d}"})
                call(base, admin, "POST", f"/api/teams/{team['id']}/members", {"email": "member@example.com"})
            # the last team is the one given the workspace
            call(base, admin, "POST", f"/api/workspaces/{ws['id']}/teams", {"team_id": team["id"]})
        else:
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

        # The member's lists at --clients clients (above any pool size), with wrk when present.
        if not shutil.which("wrk"):
            print("wrk is not installed: no figures under load")
            return
        script = os.path.join(tempfile.mkdtemp(), "headers.lua")
        open(script, "w").write(HEADERS_LUA)
        env = dict(os.environ, BENCH_AUTH=f"Bearer {member}")
        print(f"\nthe member, {args.clients} clients, {args.seconds} s each")
        print(f"{'target':<42} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
        for path in ("/api/environments", "/api/connections?page=5", "/api/connections?search=conn-0001"):
            rps, p50, p99, bad, errors = wrk(base, path, args.seconds, args.clients, env, script)
            print(f"{path:<42} {rps:>9.0f} {p50:>8.2f} {p99:>8.2f} {bad:>8}  {errors}")


if __name__ == "__main__":
    sys.exit(main())
