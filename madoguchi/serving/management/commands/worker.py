"""`madoguchi worker`: run background tasks from the database queue until stopped.

The same loop as django-tasks-db's `db_worker`, with defaults for this project: every queue in
settings.TASKS, no autoreload (a worker restarted mid-task would run that task twice), and the
periodic tasks (madoguchi.serving.periodic, such as the SLA check) queued every minute.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from madoguchi.serving.periodic import PeriodicTrigger
from madoguchi.serving.supervisor import PARENT_PID_ENV


class Command(DatabaseWorkerCommand):
    help = "Run background tasks (every queue by default) until stopped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)
        for action in parser._actions:
            if action.dest == "reload":
                action.help = "Restart the worker when the code changes (default: off)."
        parser.add_argument(
            "--periodic-every",
            type=float,
            default=60.0,
            help="Queue the periodic tasks (the SLA check) every this many seconds; 0: never.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        parent = os.environ.pop(PARENT_PID_ENV, "")
        if parent.isdigit():
            _stop_when_orphaned(int(parent))
        periodic = options.pop("periodic_every")
        trigger = PeriodicTrigger(periodic) if periodic > 0 and not options["batch"] else None
        if trigger is not None:
            trigger.start()
        try:
            super().handle(*args, **options)
        finally:
            if trigger is not None:
                trigger.stop()


def _stop_when_orphaned(parent_pid: int) -> None:
    """Send this process SIGTERM (a graceful stop) once `madoguchi serve` is gone."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
