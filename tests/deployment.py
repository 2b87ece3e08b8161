"""A throwaway installation of madoguchi driven through its command line, as an operator would.

Each `Deployment` has its own data directory and database: a SQLite file by default, or, under
`MADOGUCHI_TEST_DB=postgres pytest`, a fresh PostgreSQL database on the server named by
MADOGUCHI_TEST_DATABASE_URL, dropped afterwards. Commands run as real subprocesses of the
`madoguchi` console script with the production settings module (not tests.settings).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MADOGUCHI = str(Path(sys.executable).with_name("madoguchi"))

# Variables of the test process that must not leak into an operator's environment.
_TEST_ONLY = ("MADOGUCHI_TESTING", "MADOGUCHI_TEST_DB", "DATABASE_URL", "REDIS_URL", "PORT")


def operator_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _TEST_ONLY}
    env.update(
        DJANGO_SETTINGS_MODULE="madoguchi.settings",
        MADOGUCHI_DATA_DIR=str(data_dir),
        # The worker imports test tasks (tests/background_tasks.py) from the repository.
        PYTHONPATH=str(REPO),
        DEBUG="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], object], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def children_of(pid: int) -> list[int]:
    """Direct child processes of `pid` (Linux /proc)."""
    pids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return pids


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has exited and waits for its parent to reap it


def http_get(url: str, *, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def raw_get(
    url: str, *, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    """One GET, redirects not followed: status, headers (lower-case names), body."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request(
            "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {}
        )
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        return [p for p in children_of(self.process.pid) if " worker" in command_line(p)]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


@dataclass
class Deployment:
    data_dir: Path
    database_url: str | None = None
    servers: list[Server] = field(default_factory=list)

    def env(self, **overrides: str) -> dict[str, str]:
        extra = {"DATABASE_URL": self.database_url} if self.database_url else {}
        return operator_env(self.data_dir, **extra, **overrides)

    def run(
        self, *args: str, timeout: float = 120, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [MADOGUCHI, *args],
            env=env or self.env(),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def python(self, code: str, *, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run Python code with Django set up, as `madoguchi shell -c` would."""
        return self.run("shell", "--no-startup", "--verbosity=0", "-c", code, timeout=timeout)

    def serve(self, *args: str, **env: str) -> Server:
        """Start `madoguchi serve` on a free port (or on PORT, if given) and wait for it."""
        if "PORT" in env:
            port, argv = int(env["PORT"]), ["serve", *args]
        else:
            port = free_port()
            argv = ["serve", "--port", str(port), *args]
        log_path = self.data_dir / f"serve-{port}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(  # noqa: S603
                [MADOGUCHI, *argv],
                env=self.env(**env),
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
        server = Server(process=process, port=port, log_path=log_path)
        self.servers.append(server)

        def answers() -> bool:
            if process.poll() is not None:
                pytest.fail(f"madoguchi serve exited early:\n{server.log()}")
            try:
                return raw_get(server.url + "/ja/", timeout=2)[0] < 500
            except OSError:
                return False

        wait_for(answers, timeout=60, what="madoguchi serve to answer")
        return server

    def close(self) -> None:
        for server in self.servers:
            workers = server.worker_pids()
            if server.process.poll() is None:
                server.process.kill()
                server.process.wait()
            for pid in workers:
                if is_running(pid):
                    os.kill(pid, signal.SIGKILL)


@contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A new, empty database on the server of `base_url`, dropped on exit."""
    import psycopg
    from psycopg import sql

    name = f"madoguchi_cli_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield base_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(base_url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """A migrated installation on the database under test (SQLite, or PostgreSQL)."""
    with ExitStack() as stack:
        database_url = None
        if os.environ.get("MADOGUCHI_TEST_DB") == "postgres":
            base_url = os.environ["MADOGUCHI_TEST_DATABASE_URL"]
            database_url = stack.enter_context(postgres_database(base_url))
        deployment = Deployment(data_dir=tmp_path_factory.mktemp("data"), database_url=database_url)
        stack.callback(deployment.close)
        migrated = deployment.run("migrate", "--no-input")
        assert migrated.returncode == 0, migrated.stderr
        yield deployment
