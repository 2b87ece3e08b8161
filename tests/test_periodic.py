"""Periodic work without cron: `madoguchi worker` (and so the worker inside `madoguchi serve`)
queues the SLA check every so often and runs it; `madoguchi check-sla` runs it for cron."""

from __future__ import annotations

import json
import signal
import subprocess

from tests.deployment import MADOGUCHI, REPO, Deployment, deployment, wait_for

__all__ = ["deployment"]  # the fixture, used by name below

CHECK_SLA = "madoguchi.tickets.tasks.check_sla"


def check_sla_results(deployment: Deployment) -> list[dict[str, object]]:
    code = (
        "import json; from django_tasks_db.models import DBTaskResult; "
        f"print(json.dumps(list(DBTaskResult.objects.filter(task_path={CHECK_SLA!r})"
        ".values('status', 'return_value'))))"
    )
    result = deployment.python(code)
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, object]] = json.loads(result.stdout.strip().splitlines()[-1])
    return rows


def test_the_worker_runs_the_sla_check_every_so_often_on_its_own(
    deployment: Deployment,
) -> None:
    worker = subprocess.Popen(  # noqa: S603
        [MADOGUCHI, "worker", "--interval", "0.2", "--no-startup-delay", "--periodic-every", "1"],
        env=deployment.env(),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(
            lambda: sum(r["status"] == "SUCCESSFUL" for r in check_sla_results(deployment)) >= 2,
            timeout=60,
            what="the worker to run the SLA check twice",
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    done = [r for r in check_sla_results(deployment) if r["status"] == "SUCCESSFUL"]
    assert done[0]["return_value"] == {"warned": 0, "breached": 0, "escalated": 0}
    # Never more than one check waiting: a slow check is not piled up behind.
    assert sum(r["status"] == "READY" for r in check_sla_results(deployment)) <= 1


def test_a_worker_told_not_to_queues_no_periodic_work(deployment: Deployment) -> None:
    before = len(check_sla_results(deployment))
    result = deployment.run("worker", "--batch", "--no-startup-delay", "--periodic-every", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(check_sla_results(deployment)) == before


def test_check_sla_runs_from_the_command_line_for_cron(deployment: Deployment) -> None:
    result = deployment.run("check-sla", env=deployment.env(LANGUAGE_CODE="en"))
    assert result.returncode == 0, result.stderr
    assert "0" in result.stdout
