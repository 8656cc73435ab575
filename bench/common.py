"""Shared by the benchmarks: start a meshenv on a free loopback port, call it, report timings."""
import contextlib
import json
import os
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request


# The environment of the server `meshenv` last started, for running its command line.
current_env = {}


def cli(binary, *args):
    """Runs `meshenv <args>` against the running benchmark server's database; returns stdout."""
    return subprocess.check_output([binary, *args], env=current_env, stderr=subprocess.DEVNULL).decode().strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def meshenv(binary, db=None):
    """Yields (base URL, admin token) of a meshenv started on a throwaway database."""
    tmp = tempfile.mkdtemp()
    port = free_port()
    env = dict(os.environ, MESHENV_DATABASE_URL=db or f"sqlite://{tmp}/bench.db",
               MESHENV_LISTEN=f"127.0.0.1:{port}", MESHENV_ADMIN_PASSWORD="bench-password",
               MESHENV_LOG="warn", MESHENV_SECRET_KEY_FILE=f"{tmp}/bench.key")
    current_env.clear()
    current_env.update(env)
    server = subprocess.Popen([binary, "serve"], env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        token = subprocess.check_output([binary, "token", "create", "--user", "admin", "--name", "bench"],
                                        env=env, stderr=subprocess.DEVNULL).decode().strip()
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=10)


def call(base, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, json.loads(r.read() or b"null")


def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(name, ms):
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"{name:<40} n={len(ms):<5} p50={statistics.median(ms):8.2f} ms  p95={p95:8.2f} ms  max={ms[-1]:8.2f} ms")
