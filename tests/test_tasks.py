"""Background work: a task enqueued in the database queue is run by `madoguchi worker`, or by the
worker inside `madoguchi serve`, on SQLite and (with MADOGUCHI_TEST_DB=postgres) on PostgreSQL."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from tests.deployment import MADOGUCHI, REPO, Deployment, deployment, wait_for

__all__ = ["deployment"]  # the fixture, used by name below


def enqueue(deployment: Deployment, task: str, **kwargs: object) -> str:
    code = (
        f"from tests.background_tasks import {task}; "
        f"print({task}.enqueue(**{json.dumps(kwargs)}).id)"
    )
    result = deployment.python(code)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[-1]


def status_of(deployment: Deployment, task_id: str) -> str:
    code = (
        "from django_tasks_db.models import DBTaskResult; "
        f"print(DBTaskResult.objects.get(id={task_id!r}).status)"
    )
    result = deployment.python(code)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[-1]


def start_worker(deployment: Deployment) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603
        [MADOGUCHI, "worker", "--interval", "0.2", "--no-startup-delay"],
        env=deployment.env(),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_task_enqueued_in_the_database_is_run_by_madoguchi_worker(
    deployment: Deployment, tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    worker = start_worker(deployment)
    try:
        task_id = enqueue(deployment, "write_note", path=str(note), text="窓口より")
        wait_for(note.exists, timeout=30, what="the worker to run the task")
        assert note.read_text(encoding="utf-8") == "窓口より"
        wait_for(
            lambda: status_of(deployment, task_id) == "SUCCESSFUL",
            timeout=15,
            what="the task to be marked successful",
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output


def test_a_task_enqueued_before_the_worker_starts_waits_for_it(
    deployment: Deployment, tmp_path: Path
) -> None:
    note = tmp_path / "waited.txt"
    task_id = enqueue(deployment, "write_note", path=str(note), text="queued")
    assert status_of(deployment, task_id) == "READY"
    assert not note.exists()

    result = deployment.run("worker", "--batch", "--no-startup-delay", timeout=60)

    assert result.returncode == 0, result.stdout + result.stderr
    assert note.read_text(encoding="utf-8") == "queued"
    assert status_of(deployment, task_id) == "SUCCESSFUL"


def test_a_stopped_worker_finishes_the_task_it_is_running(
    deployment: Deployment, tmp_path: Path
) -> None:
    note = tmp_path / "slow.txt"
    worker = start_worker(deployment)
    try:
        task_id = enqueue(deployment, "write_note_slowly", path=str(note), text="done", seconds=3)
        wait_for(
            lambda: status_of(deployment, task_id) == "RUNNING",
            timeout=30,
            what="the worker to start the task",
        )
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, output
    assert note.read_text(encoding="utf-8") == "done"
    assert status_of(deployment, task_id) == "SUCCESSFUL"


def test_madoguchi_serve_runs_enqueued_tasks_without_a_separate_worker(
    deployment: Deployment, tmp_path: Path
) -> None:
    note = tmp_path / "served.txt"
    server = deployment.serve("--workers", "1")
    try:
        task_id = enqueue(deployment, "write_note", path=str(note), text="served")
        wait_for(note.exists, timeout=30, what="the worker inside serve to run the task")
        assert status_of(deployment, task_id) in {"RUNNING", "SUCCESSFUL"}
    finally:
        assert server.stop() == 0, server.log()
