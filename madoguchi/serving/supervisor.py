"""The background worker as a child of `madoguchi serve`: started, restarted and stopped with it.

The child runs in its own session so that Ctrl+C in a terminal reaches only `serve`, which then
stops the worker once, gracefully: a second signal would make the worker abandon its task.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

logger = logging.getLogger(__name__)

# The worker exits by itself when the process named here is gone, so that a `serve` killed
# with SIGKILL leaves no orphan behind (see madoguchi/serving/management/commands/worker.py).
PARENT_PID_ENV = "MADOGUCHI_WORKER_PARENT_PID"


def worker_command() -> list[str]:
    """The command line of `madoguchi worker` run by the same Python as this process."""
    return [sys.executable, "-m", "madoguchi.cli", "worker", "--no-startup-delay"]


class SupervisedWorker:
    """One child process kept running until `stop()`: restarted after a crash, with backoff.

    A child that lived less than `stable_after` seconds is restarted after a delay that doubles
    up to `max_delay`, so that a worker failing at start (say, an unmigrated database) does not
    spin; one that ran longer is restarted after `first_delay`.
    """

    def __init__(
        self,
        *,
        command: Sequence[str],
        first_delay: float = 1.0,
        max_delay: float = 30.0,
        stable_after: float = 10.0,
        stop_timeout: float = 30.0,
    ) -> None:
        self.command = list(command)
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.stable_after = stable_after
        self.stop_timeout = stop_timeout
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        with self._lock:
            return self._process.pid if self._process else None

    def start(self) -> None:
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        """Ask the worker to finish its current task and exit; kill it after `stop_timeout`."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "Background worker did not stop in %ss; killing it.", self.stop_timeout
                )
                process.kill()
                process.wait()
        if self._watcher is not None:
            self._watcher.join(timeout=5)

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        env = {**os.environ, PARENT_PID_ENV: str(os.getpid())}
        with self._lock:
            # Checked under the lock so that a stop() racing a restart never leaves a child behind.
            if self._stopping.is_set():
                return None
            process = subprocess.Popen(self.command, env=env, start_new_session=True)  # noqa: S603
            self._process = process
        return process

    def _watch(self) -> None:
        delay = self.first_delay
        with self._lock:
            process = self._process
        while process is not None:
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= self.stable_after:
                delay = self.first_delay
            logger.warning(
                "Background worker exited with code %s; restarting it in %.0fs.", code, delay
            )
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, self.max_delay)
            process = self._spawn()
            if process is not None:
                self.restarts += 1
                logger.warning("Background worker restarted (pid %s).", process.pid)
