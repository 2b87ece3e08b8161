"""The `madoguchi` console script, typed as an operator types it."""

from __future__ import annotations

from tests.deployment import Deployment, deployment

__all__ = ["deployment"]  # the fixture, used by name below


def test_madoguchi_alone_lists_the_commands_including_serve_and_worker(
    deployment: Deployment,
) -> None:
    result = deployment.run()

    assert result.returncode == 0, result.stderr
    assert "Type 'madoguchi help <subcommand>'" in result.stdout
    assert "[serving]" in result.stdout
    listed = result.stdout.split()
    assert "serve" in listed
    assert "worker" in listed
    assert "migrate" in listed


def test_a_hyphenated_command_name_runs_the_underscored_command(deployment: Deployment) -> None:
    hyphenated = deployment.run("remove-stale-contenttypes", "--no-input")
    underscored = deployment.run("remove_stale_contenttypes", "--no-input")

    assert hyphenated.returncode == 0, hyphenated.stderr
    assert underscored.returncode == 0, underscored.stderr
    assert deployment.run("db-worker", "--help").stdout.startswith("usage: madoguchi db_worker")


def test_help_accepts_a_hyphenated_command_name(deployment: Deployment) -> None:
    result = deployment.run("help", "remove-stale-contenttypes")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: madoguchi remove_stale_contenttypes")


def test_options_with_hyphens_are_left_as_typed(deployment: Deployment) -> None:
    result = deployment.run("showmigrations", "--plan", "--skip-checks")

    assert result.returncode == 0, result.stderr
    assert "[X]  contenttypes.0001_initial" in result.stdout


def test_an_unknown_command_is_named_and_fails(deployment: Deployment) -> None:
    result = deployment.run("serv")

    assert result.returncode == 1
    assert "Unknown command: 'serv'" in result.stderr
    assert "Did you mean serve?" in result.stderr


def test_serve_and_worker_explain_their_options(deployment: Deployment) -> None:
    serve = deployment.run("serve", "--help")
    worker = deployment.run("worker", "--help")

    for option in ("--port", "--host", "--workers", "--threads", "--no-worker"):
        assert option in serve.stdout
    assert "the PORT environment variable, else 8000" in " ".join(serve.stdout.split())
    assert "--queue-name" in worker.stdout


def test_nothing_is_left_to_migrate_after_madoguchi_migrate(
    deployment: Deployment,
) -> None:
    result = deployment.run("migrate", "--check", "--no-input")

    assert result.returncode == 0, result.stdout + result.stderr
