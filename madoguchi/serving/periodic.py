"""Periodic work without cron: each `madoguchi worker` (so also the one inside `madoguchi serve`)
queues the tasks listed here every so often, unless one of them is still waiting in the queue.

Only the enqueueing happens here, in a small thread; the worker runs the task like any other.
Several workers may each queue a task within the same minute; the tasks are written to be run
twice without harm (the SLA check warns and escalates each target once)."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connections
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# Dotted paths of tasks without arguments, queued every `--periodic-every` seconds.
PERIODIC_TASKS = (
    "madoguchi.tickets.tasks.check_sla",
    "madoguchi.tickets.tasks.retry_deliveries",
)


def enqueue_periodic_tasks() -> list[str]:
    """Queue each periodic task that is not already waiting; the paths of those queued."""
    queued = []
    for path in PERIODIC_TASKS:
        task: Task[[], object] = import_string(path)
        if isinstance(task.get_backend(), DatabaseBackend):
            waiting = DBTaskResult.objects.ready().filter(task_path=task.module_path)
            if waiting.exists():
                continue
        task.enqueue()
        queued.append(path)
    return queued


class PeriodicTrigger:
    """A daemon thread that calls `enqueue_periodic_tasks` every `every` seconds until stopped."""

    def __init__(self, every: float) -> None:
        self.every = every
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="periodic-tasks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        while not self._stopped.is_set():
            close_old_connections()
            try:
                enqueue_periodic_tasks()
            except Exception:
                # The next round tries again; a failing database must not stop the worker.
                logger.exception("Could not queue the periodic tasks.")
            finally:
                connections.close_all()
            self._stopped.wait(self.every)
