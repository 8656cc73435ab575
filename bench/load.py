#!/usr/bin/env python3
"""Benchmark: meshenv at 64 clients, with wrk, on SQLite or PostgreSQL.

Starts the given meshenv binary on a free loopback port with a throwaway database, seeds
--environments environments and --connections connections (each environment holds a few
connections, and one GitHub connection sits in every environment, as the documentation
recommends), then runs wrk for --seconds against each target and prints requests/s, p50 and
p99. Targets: the environments list, a search, the connections list, the three main
server-rendered pages, and a mixed load (reads with creates and assignment patches).

    make build && python3 bench/load.py                      # SQLite
    python3 bench/load.py --db postgres://postgres@127.0.0.1:5432/meshenv_bench

wrk comes from Debian (apt-get install wrk). Only loopback traffic; every run is bounded by
--seconds, and seeding by the counts.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from common import call, meshenv

MIXED_LUA = r"""
-- Four reads of the environments list for each write; writes alternate between creating an
-- environment and adding a connection to one.
local n = 0
local envs = {}
-- Each wrk thread has its own Lua state and the same random sequence: number the threads so
-- that their new names differ.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
for id in string.gmatch(os.getenv("BENCH_ENVS") or "", "[^,]+") do envs[#envs + 1] = id end
local conn = os.getenv("BENCH_CONN")
local prefix = os.getenv("BENCH_PREFIX") or "mix"
request = function()
  n = n + 1
  local h = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"), ["Content-Type"] = "application/json" }
  if n % 5 == 0 then
    return wrk.format("POST", "/api/environments", h, '{"name":"' .. prefix .. "-" .. tostring(tid) .. "-" .. n .. '"}')
  elseif n % 5 == 1 and #envs > 0 then
    local e = envs[(n % #envs) + 1]
    return wrk.format("PATCH", "/api/environments/" .. e .. "/connections", h, '{"add":["' .. conn .. '"]}')
  end
  return wrk.format("GET", "/api/environments?pagesize=20", h)
end
"""

HEADERS_LUA = r"""
local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then wrk.headers["Authorization"] = auth end
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
"""


def sign_in(base):
    """The session cookie of admin, through the sign-in form's server function."""
    data = urllib.parse.urlencode({"login": "admin", "password": "bench-password"}).encode()
    req = urllib.request.Request(base + "/fn/sign_in", data=data, method="POST")
    req.add_header("Sec-Fetch-Site", "same-origin")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        r = opener.open(req, timeout=10)
        headers = r.headers
    except urllib.error.HTTPError as e:
        headers = e.headers
    for c in headers.get_all("Set-Cookie") or []:
        if c.startswith("meshenv_session=") and not c.startswith("meshenv_session=;"):
            return c.split(";")[0]
    raise SystemExit("could not sign in as admin")


def seed(base, token, n_env, n_conn, clients):
    def env(i):
        _, e = call(base, token, "POST", "/api/environments",
                    {"name": f"env-{i:06d}", "description": f"bench environment number {i}",
                     "tags": [["prod", "us-east"], ["prod"], ["staging"], []][i % 4]})
        return e["id"]

    def conn(i):
        kind = ["prometheus", "grafana", "http", "kubernetes"][i % 4]
        _, c = call(base, token, "POST", "/api/connections",
                    {"name": f"conn-{i:06d}", "kind": kind, "url": f"https://c{i}.example.internal"})
        return c["id"]

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        envs = list(pool.map(env, range(n_env)))
        conns = list(pool.map(conn, range(n_conn)))
        _, github = call(base, token, "POST", "/api/connections",
                         {"name": "github-main", "kind": "github", "url": "https://github.com/example"})

        def assign(i):
            # Three connections of its own, and the GitHub connection every environment shares.
            own = [conns[(i * 3 + k) % len(conns)] for k in range(3)]
            call(base, token, "PATCH", f"/api/environments/{envs[i]}/connections",
                 {"add": own + [github["id"]]})

        list(pool.map(assign, range(n_env)))
    print(f"seeded {n_env} environments and {n_conn} connections, 4 per environment, one shared by all, "
          f"in {time.perf_counter() - t0:.0f} s")
    return envs, github["id"]


def wrk(base, path, seconds, clients, env, script):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", script, base + path],
        env=env, capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return rps, pct(50), pct(99), int(bad.group(1)) if bad else 0, errors.group(0) if errors else ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/meshenv")
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--environments", type=int, default=10000)
    ap.add_argument("--connections", type=int, default=10000)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--seconds", type=int, default=10)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    with meshenv(args.bin, args.db) as (base, token):
        envs, github = seed(base, token, args.environments, args.connections, 16)
        cookie = sign_in(base)
        # The SQLite planner's statistics are refreshed every minute (Db::optimize): measure
        # what a server that has been up a minute since the load does.
        time.sleep(61)
        tmp = tempfile.mkdtemp()
        headers_lua, mixed_lua = f"{tmp}/headers.lua", f"{tmp}/mixed.lua"
        open(headers_lua, "w").write(HEADERS_LUA)
        open(mixed_lua, "w").write(MIXED_LUA)
        api = dict(os.environ, BENCH_AUTH=f"Bearer {token}")
        page = dict(os.environ, BENCH_AUTH="", BENCH_COOKIE=cookie)
        mixed = dict(os.environ, BENCH_TOKEN=token, BENCH_ENVS=",".join(envs[:200]), BENCH_CONN=github,
                     BENCH_PREFIX=f"mix{int(time.time())}")
        targets = [
            ("GET /api/environments?pagesize=20", "/api/environments?pagesize=20", api, headers_lua),
            ("GET /api/environments?search=number 12", "/api/environments?search=number%2012", api, headers_lua),
            ("GET /api/connections?pagesize=20", "/api/connections?pagesize=20", api, headers_lua),
            ("GET /api/connections/{github-main}", f"/api/connections/{github}", api, headers_lua),
            ("page /environments", "/environments", page, headers_lua),
            ("page /connections", "/connections", page, headers_lua),
            ("page /environments/{id}", f"/environments/{envs[0]}", page, headers_lua),
            ("mixed: 3 reads, 1 create, 1 patch", "/api/environments", mixed, mixed_lua),
        ]
        db = (args.db or "sqlite").split(":")[0]
        print(f"\n{db}, {args.clients} clients, {args.seconds} s each (wrk -t2 on the same 2-core machine)")
        print(f"{'target':<42} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
        for name, path, env, script in targets:
            rps, p50, p99, bad, errors = wrk(base, path, args.seconds, args.clients, env, script)
            print(f"{name:<42} {rps:>9.0f} {p50:>8.2f} {p99:>8.2f} {bad:>8}  {errors}")


if __name__ == "__main__":
    main()
