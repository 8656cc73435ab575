#!/usr/bin/env python3
"""Benchmark: what hydrating the main pages costs the browser (see bench/hydration.js).

Starts the release build on a throwaway database with the demo data, signs in as the admin and
loads /environments, the production environment's page, /connections and a workspace's page in
Debian's Chromium: the wasm bytes compiled while the page hydrates (exact), and the median
longest task and total blocking time of --runs loads at 4x slower CPU (noisy on 2 cores).

    make build && python3 bench/hydration.py [--runs 7]
"""
import argparse
import os
import subprocess
import urllib.parse
import urllib.request

from common import call, cli, meshenv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/meshenv")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    os.environ.setdefault("MESHENV_HEALTH_INTERVAL", "0")
    with meshenv(args.bin) as (base, token):
        cli(args.bin, "demo", "--org", "default")
        first = lambda path, key: call(base, token, "GET", path)[1][key][0]["id"]
        env = first("/api/environments?search=production&pagesize=1", "environments")
        ws = first("/api/workspaces?search=platform-team&pagesize=1", "workspaces")
        form = urllib.parse.urlencode({"login": "admin", "password": "bench-password"}).encode()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        try:
            r = urllib.request.build_opener(NoRedirect).open(base + "/fn/sign_in", form)
            headers = r.headers
        except urllib.error.HTTPError as e:
            headers = e.headers
        if not headers.get("Set-Cookie"):
            raise SystemExit("hydration: signing in gave no session cookie")
        cookie = headers["Set-Cookie"].split(";")[0]
        pages = ["/environments", f"/environments/{env}", "/connections", f"/workspaces/{ws}"]
        here = os.path.dirname(os.path.abspath(__file__))
        subprocess.run(["node", os.path.join(here, "hydration.js"), base, cookie, str(args.runs), *pages], check=True)


if __name__ == "__main__":
    main()
