"""`madoguchi worker`: run background tasks from the database queue until stopped.

The same loop as django-tasks-db's `db_worker`, with defaults for this project: every queue in
settings.TASKS, and no autoreload (a worker restarted mid-task would run that task twice).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from madoguchi.serving.supervisor import PARENT_PID_ENV


class Command(DatabaseWorkerCommand):
    help = "Run background tasks (every queue by default) until stopped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)
        for action in parser._actions:
            if action.dest == "reload":
                action.help = "Restart the worker when the code changes (default: off)."

    def handle(self, *args: Any, **options: Any) -> None:
        parent = os.environ.pop(PARENT_PID_ENV, "")
        if parent.isdigit():
            _stop_when_orphaned(int(parent))
        super().handle(*args, **options)


def _stop_when_orphaned(parent_pid: int) -> None:
    """Send this process SIGTERM (a graceful stop) once `madoguchi serve` is gone."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
