"""django-helpdesk set up and served for the ticket benchmark, the way madoguchi is served.

    python -m bench.helpdesk.desk      # set it up and serve it on a free port until Ctrl-C

`ensure_venv()` creates bench/helpdesk/.venv from requirements.txt (the only step that needs
the network: PyPI) and reuses it while requirements.txt and the Python version are unchanged.
`Desk` migrates a fresh SQLite database in a temporary folder, creates the public queues and
serves the site with gunicorn (2 sync workers by default) on a free port of 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
BIN = VENV / "bin"
REQUIREMENTS = HERE / "requirements.txt"
STAMP = VENV / "requirements.sha256"
FORM_PATH = "/tickets/submit/"


class SetupFailed(RuntimeError):
    """django-helpdesk could not be installed, migrated or started."""


def _requirements_digest() -> str:
    # The Python version is part of it: a venv does not survive an interpreter upgrade.
    text = REQUIREMENTS.read_bytes() + platform.python_version().encode()
    return hashlib.sha256(text).hexdigest()


def ensure_venv() -> Path:
    """bench/helpdesk/.venv with requirements.txt installed; its bin folder."""
    digest = _requirements_digest()
    if (BIN / "python").exists() and STAMP.exists() and STAMP.read_text().strip() == digest:
        return BIN
    print(f"Installing django-helpdesk into {VENV} (from PyPI) …", flush=True)
    shutil.rmtree(VENV, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(VENV)], what="python -m venv")
    _run(
        [
            *(str(BIN / "python"), "-m", "pip", "install", "--quiet"),
            *("--disable-pip-version-check", "-r", str(REQUIREMENTS)),
        ],
        what="pip install -r bench/helpdesk/requirements.txt",
    )
    # Written last, so that an interrupted install is redone on the next run.
    STAMP.write_text(digest + "\n")
    return BIN


def _run(
    command: list[str], *, what: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603
        command, env=env, cwd=HERE, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().splitlines()[-15:]
        raise SetupFailed(f"{what} failed ({result.returncode}):\n" + "\n".join(output))
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Desk:
    """A running django-helpdesk on a fresh database; stopped and removed on exit."""

    def __init__(self, *, workers: int = 2, worker_class: str = "sync") -> None:
        self.workers = workers
        self.worker_class = worker_class
        self.data_dir = Path(tempfile.mkdtemp(prefix="madoguchi-bench-helpdesk-"))
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.versions: dict[str, str] = {}
        self.log = self.data_dir / "gunicorn.log"
        self._process: subprocess.Popen[bytes] | None = None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHON"))},
            "DJANGO_SETTINGS_MODULE": "settings",
            "PYTHONPATH": str(HERE),
            "HELPDESK_BENCH_DATA": str(self.data_dir),
            "SECRET_KEY": secrets.token_urlsafe(50),
        }

    def __enter__(self) -> Desk:
        try:
            self.start()
        except BaseException:
            self.stop(keep_data=True)
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop(keep_data=kind is not None)

    def start(self) -> None:
        bin_dir = ensure_venv()
        prepared = _run(
            [str(bin_dir / "python"), str(HERE / "provision.py"), "prepare"],
            what="django-helpdesk migrate",
            env=self.env,
        )
        self.versions = json.loads(prepared.stdout.strip().splitlines()[-1])
        with self.log.open("wb") as out:
            self._process = subprocess.Popen(  # noqa: S603
                [
                    *(str(bin_dir / "gunicorn"), "--workers", str(self.workers)),
                    *("--worker-class", self.worker_class),
                    *("--bind", f"127.0.0.1:{self.port}", "wsgi:application"),
                ],
                env=self.env,
                cwd=HERE,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise SetupFailed(f"gunicorn exited; see {self.log}")
            try:
                with urllib.request.urlopen(self.base_url + FORM_PATH, timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                raise SetupFailed(f"{FORM_PATH} answered {error.code}; see {self.log}") from error
            except OSError:
                pass
            time.sleep(0.2)
        raise SetupFailed(f"django-helpdesk did not answer within a minute; see {self.log}")

    @property
    def pid(self) -> int:
        """The gunicorn master's process id (its workers are its children)."""
        assert self._process is not None, "the desk is not running"
        return self._process.pid

    def stored_tickets(self) -> dict[str, tuple[str, str]]:
        """Every ticket in the database, by submitter e-mail: (title, description)."""
        listed = _run(
            [str(BIN / "python"), str(HERE / "provision.py"), "tickets"],
            what="listing django-helpdesk's tickets",
            env=self.env,
        )
        rows = json.loads(listed.stdout)
        stored = {email: (title, description) for email, title, description in rows}
        if len(stored) != len(rows):
            raise SetupFailed(f"{len(rows) - len(stored)} e-mail addresses opened two tickets")
        return stored

    def stop(self, *, keep_data: bool = False) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if keep_data:
            print(f"django-helpdesk's data and log kept in {self.data_dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def main() -> None:
    with Desk() as desk:
        print(f"django-helpdesk {desk.versions} at {desk.base_url}{FORM_PATH}; Ctrl-C stops it")
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main()
