"""`madoguchi serve`: the whole product on one port, with the background worker beside it.

uvicorn runs `madoguchi.asgi:application` in N processes: pages and the API reach Django's WSGI
handler through a2wsgi, WebSockets reach Channels (docs/serving.md: why, with measurements).
In the embedded default (no REDIS_URL, no --no-worker) a `madoguchi worker` child runs too.
"""

from __future__ import annotations

import os
import signal
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from madoguchi.serving import DEFAULT_THREADS, THREADS_ENV
from madoguchi.serving.supervisor import SupervisedWorker, worker_command


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 < port < 65536:
        raise ArgumentTypeError(f"port out of range 1-65535: {port}")
    return port


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise ArgumentTypeError("must be 1 or more")
    return number


def _from_environment(name: str, parse: Callable[[str], int], default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        return parse(value)
    except ArgumentTypeError as error:
        raise CommandError(f"{name}: {error}") from None


def _cpus() -> int:
    """CPUs this process may run on (fewer than the machine's in a container with a CPU set)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # uvicorn re-raises the signal that stopped it once it has shut down; with the default
    # SIGTERM action the process would die there, before the worker child is stopped.
    raise SystemExit(0)


class Command(BaseCommand):
    help = (
        "Serve the Help Center, the API and WebSockets on one port, and run the background "
        "worker beside them unless REDIS_URL is set or --no-worker is given."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
        )
        parser.add_argument(
            "--port",
            type=_port,
            default=None,
            help="port to listen on (default: the PORT environment variable, else 8000)",
        )
        parser.add_argument(
            "--workers",
            type=_positive,
            default=None,
            help="web processes (default: WEB_CONCURRENCY, else one per CPU)",
        )
        parser.add_argument(
            "--threads",
            type=_positive,
            default=None,
            help=f"threads per web process for pages and the API (default: {THREADS_ENV}, "
            f"else {DEFAULT_THREADS})",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not run the background worker (run `madoguchi worker` separately)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"] or _from_environment("PORT", _port, 8000)
        workers: int = options["workers"] or _from_environment(
            "WEB_CONCURRENCY", _positive, _cpus()
        )
        threads: int = options["threads"] or _from_environment(
            THREADS_ENV, _positive, DEFAULT_THREADS
        )
        # Read by madoguchi/asgi.py in each web process, which inherits this environment.
        os.environ[THREADS_ENV] = str(threads)

        self.check_migrations()
        # whitenoise serves what collectstatic gathered (hashed names when DEBUG=0).
        call_command("collectstatic", interactive=False, verbosity=0)

        supervised: SupervisedWorker | None = None
        if options["no_worker"]:
            self.stdout.write("Background worker: not started (--no-worker).")
        elif settings.REDIS_URL:
            self.stdout.write(
                "Background worker: not started (REDIS_URL is set; run `madoguchi worker`)."
            )
        else:
            supervised = SupervisedWorker(command=worker_command())
            supervised.start()
            self.stdout.write(f"Background worker: running (pid {supervised.pid}).")

        self.stdout.write(
            f"madoguchi: http://{host}:{port}/ (web processes: {workers}, threads each: {threads})"
        )
        self.stdout.flush()
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            uvicorn.run(
                "madoguchi.asgi:application",
                host=host,
                port=port,
                workers=workers,
                loop="uvloop",
                http="httptools",
                ws="websockets-sansio",
                # Channels' router knows only "http" and "websocket" scopes.
                lifespan="off",
                access_log=settings.DEBUG,
                server_header=False,
                # X-Forwarded-For/-Proto are trusted from FORWARDED_ALLOW_IPS (127.0.0.1).
                proxy_headers=True,
            )
        finally:
            signal.signal(signal.SIGTERM, previous)
            if supervised is not None:
                supervised.stop()
