"""Serving throughput: the same pages under each way of running Django, measured with wrk.

Every server runs the production settings (DEBUG=0) on 127.0.0.1 with the same number of
processes, against one data directory holding the demo content. For each page and server it
prints requests per second and latency percentiles; then the WebSocket round trip through
`madoguchi serve`. docs/serving.md explains the choice these figures support.

    python -m bench serving     # BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=16 BENCH_WORKERS
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SEARCH_QUERY = "出金"

Command = Callable[[int], list[str]]
SERVE = "madoguchi serve (uvicorn, a2wsgi + Channels)"


def _servers() -> dict[str, Command]:
    """The contenders, each a command line for a port. All run WORKERS processes."""
    w = str(WORKERS)

    def gunicorn(*args: str) -> Command:
        return lambda port: [str(BIN / "gunicorn"), "-w", w, "-b", f"127.0.0.1:{port}", *args]

    def uvicorn(app: str) -> Command:
        return lambda port: [
            *(str(BIN / "uvicorn"), "--workers", w, "--port", str(port), "--lifespan", "off"),
            *("--loop", "uvloop", "--http", "httptools", "--no-access-log", app),
        ]

    servers = {
        "gunicorn sync (WSGI)": gunicorn("madoguchi.wsgi"),
        "gunicorn gthread x4 (WSGI)": gunicorn("-k", "gthread", "--threads", "4", "madoguchi.wsgi"),
        "uvicorn, Django ASGI handler": uvicorn("madoguchi.asgi:django_asgi_app"),
        SERVE: lambda port: [
            *(str(BIN / "madoguchi"), "serve", "--no-worker"),
            *("--workers", w, "--port", str(port)),
        ],
    }
    if _gunicorn_has_asgi_worker():
        servers["gunicorn asgi worker, a2wsgi + Channels"] = gunicorn(
            "-k", "asgi", "madoguchi.asgi:application"
        )
    return servers


def _gunicorn_has_asgi_worker() -> bool:
    try:
        from gunicorn.workers import SUPPORTED_WORKERS  # type: ignore[import-untyped]
    except ImportError:
        return False
    return "asgi" in SUPPORTED_WORKERS


@dataclass
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    failures: int
    requests: int = 0
    cpu_ms_per_request: float = float("nan")


def _tree_cpu_seconds(root: int) -> float:
    """User and system CPU time of `root` and every process below it (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(cpu.get(pid, 0.0) for pid in tree)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "MADOGUCHI_TESTING", "PORT", "WEB_CONCURRENCY"}
    }
    # The production settings, but with a search rate limit no load generator reaches: wrk
    # sends everything from one address, which the real limit would answer with 429s.
    (data_dir / "bench_settings.py").write_text(
        'from madoguchi.settings import *  # noqa: F403\nMADOGUCHI_SEARCH_RATE = "1000000000/s"\n'
    )
    env.update(
        DJANGO_SETTINGS_MODULE="bench_settings",
        MADOGUCHI_DATA_DIR=str(data_dir),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback; TLS ends at the proxy in production
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join([str(data_dir), str(REPO)]),
    )
    return env


def _madoguchi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [str(BIN / "madoguchi"), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _status_now(url: str) -> str:
    try:
        return str(_get(url)[0])
    except OSError as error:
        return f"no response ({error})"


class Running:
    """A server process started for one measurement, stopped on exit."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(  # noqa: S603
                command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_until_answering(self, url: str, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if _get(url)[0] == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_DURATION = re.compile(r"([\d.]+)(us|ms|s)\b")


def _milliseconds(text: str) -> float:
    match = _DURATION.search(text)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def wrk(url: str, *, seconds: int, connections: int) -> Result:
    """Run wrk against `url` and read its summary (requests/s, p50, p99, failed requests)."""
    output = subprocess.run(  # noqa: S603
        [
            *("wrk", "--latency", "-t", "2", "-c", str(connections)),
            *("-d", f"{seconds}s", "--timeout", "10s", url),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", output)
    return Result(
        requests_per_second=float(rate.group(1)) if rate else 0.0,
        p50_ms=_milliseconds(p50.group(1)) if p50 else float("nan"),
        p99_ms=_milliseconds(p99.group(1)) if p99 else float("nan"),
        failures=(int(non_2xx.group(1)) if non_2xx else 0)
        + (int(errors.group(1)) if errors else 0),
        requests=int(total.group(1)) if total else 0,
    )


def measure(url: str, server_pid: int) -> Result:
    """wrk's figures, plus the server's CPU time per request, which other load on the machine
    disturbs far less than requests per second."""
    before = _tree_cpu_seconds(server_pid)
    result = wrk(url, seconds=SECONDS, connections=CONNECTIONS)
    used = _tree_cpu_seconds(server_pid) - before
    if result.requests:
        result.cpu_ms_per_request = used * 1000 / result.requests
    return result


def _pages(base: str) -> dict[str, str]:
    """Help Center home, an article found through the search API, and the search API itself."""
    search = "/api/v1/search?" + urllib.parse.urlencode({"q": SEARCH_QUERY, "locale": "ja"})
    pages = {"home /ja/": "/ja/"}
    status, body = _get(base + search)
    if status == 200:
        import json

        results = json.loads(body).get("results") or []
        if results:
            pages[f"article {results[0]['url']}"] = results[0]["url"]
        pages[f"API /api/v1/search?q={SEARCH_QUERY}"] = search
    else:
        print(f"  (search API answered {status}: article and API pages left out)")
    return pages


def websocket_round_trips(port: int, count: int = 2000) -> list[float]:
    from websockets.asyncio.client import connect

    async def run() -> list[float]:
        times = []
        origin = f"http://127.0.0.1:{port}"
        async with connect(f"ws://127.0.0.1:{port}/ws/ping/", origin=origin) as websocket:  # type: ignore[arg-type]
            for _ in range(count):
                started = time.perf_counter()
                await websocket.send("ping")
                await websocket.recv()
                times.append((time.perf_counter() - started) * 1000)
        return times

    return asyncio.run(run())


def _prepare(data_dir: Path, env: dict[str, str]) -> None:
    for args in (("migrate", "--no-input"), ("load-demo",), ("collectstatic", "--no-input")):
        result = _madoguchi(env, *args)
        if result.returncode != 0:
            message = (result.stderr or result.stdout).strip().splitlines()[-1:]
            print(f"  madoguchi {' '.join(args)} failed: {' '.join(message)}")
            if args[0] != "load-demo":
                raise SystemExit(1)


def main() -> None:
    if shutil.which("wrk") is None:
        print("bench/serving.py: wrk is not installed, so nothing was measured.")
        print("Install it (Debian: apt-get install wrk) and run `make bench` again.")
        raise SystemExit(1)
    data_dir = Path(tempfile.mkdtemp(prefix="madoguchi-bench-serving-"))
    env = _environment(data_dir)
    print(
        f"Serving: {WORKERS} processes per server, wrk -t2 -c{CONNECTIONS} -d{SECONDS}s on "
        f"127.0.0.1, median of {ROUNDS} rounds; {os.cpu_count()} CPUs shared by server and "
        "load generator; DEBUG=0, SQLite."
    )
    _prepare(data_dir, env)
    load_before = os.getloadavg()[0]

    keep_logs = False
    servers = _servers()
    runs: dict[str, dict[str, list[Result]]] = {}
    pages: dict[str, str] = {}
    for round_number in range(ROUNDS):
        # Each round starts with a different server, so that a burst of outside load on the
        # machine does not always fall on the same one; the median of the rounds is reported.
        names = list(servers)
        names = names[round_number % len(names) :] + names[: round_number % len(names)]
        for name in names:
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            server = Running(servers[name](port), env, data_dir / f"{port}.log")
            try:
                if not server.wait_until_answering(base + "/ja/"):
                    print(f"  {name}: did not start; see {server.log}")
                    keep_logs = True
                    continue
                pages = pages or _pages(base)
                for page, path in pages.items():
                    wrk(base + path, seconds=2, connections=CONNECTIONS)  # warm caches, pools
                    result = measure(base + path, server.process.pid)
                    if result.failures:
                        keep_logs = True
                        status = _status_now(base + path)
                        print(
                            f"  {name}, {page}: {result.failures} failed requests "
                            f"(the page answers {status} now); log: {server.log}"
                        )
                    runs.setdefault(page, {}).setdefault(name, []).append(result)
            finally:
                server.stop()

    print(
        f"\nLoad average (1 min) before and after the HTTP runs: {load_before:.1f}, "
        f"{os.getloadavg()[0]:.1f} (above {os.cpu_count()}, something else competed for the CPUs)"
    )
    for page, by_server in runs.items():
        print(f"\n{page}")
        print(
            f"  {'server':<46} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms/req':>10}"
            f" {'failed':>6}"
        )
        for name, results in by_server.items():
            ordered = sorted(results, key=lambda r: r.requests_per_second)
            median = ordered[len(ordered) // 2]
            cpu = statistics.median(r.cpu_ms_per_request for r in results)
            failed = sum(r.failures for r in results)
            print(
                f"  {name:<46} {median.requests_per_second:>7.0f} {median.p50_ms:>7.1f}"
                f" {median.p99_ms:>7.1f} {cpu:>10.2f} {failed:>6}"
            )

    port = _free_port()
    server = Running(
        servers[SERVE](port),
        env,
        data_dir / "websocket.log",
    )
    try:
        if server.wait_until_answering(f"http://127.0.0.1:{port}/ja/"):
            times = websocket_round_trips(port)
            quantiles = statistics.quantiles(times, n=100)
            print(
                f"\nWebSocket ping/pong through madoguchi serve ({len(times)} round trips, one "
                f"connection): p50 {quantiles[49]:.2f} ms, p99 {quantiles[98]:.2f} ms"
            )
    finally:
        server.stop()
    if keep_logs:
        print(f"\nServer logs kept in {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
