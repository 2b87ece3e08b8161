"""Settings from the environment (madoguchi/settings.py), as an operator sets them."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
from pathlib import Path

from tests.deployment import MADOGUCHI, REPO, Deployment, deployment, operator_env

__all__ = ["deployment"]  # the fixture, used by name below

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-key-that-is-long-and-random-enough-9f8e7d6c5b4a3f2e1d0c",
    "ALLOWED_HOSTS": "help.tsukimi.example",
}


def madoguchi(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [MADOGUCHI, *args],
        env=operator_env(data_dir, **env),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def setting(data_dir: Path, expression: str, **env: str) -> str:
    result = madoguchi(
        data_dir,
        "shell",
        "--no-startup",
        "--verbosity=0",
        "-c",
        f"from django.conf import settings; print({expression})",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_default_database_is_a_sqlite_file_in_the_data_directory_in_wal_mode(
    tmp_path: Path,
) -> None:
    assert madoguchi(tmp_path, "migrate", "--no-input").returncode == 0

    database = tmp_path / "madoguchi.sqlite3"
    with sqlite3.connect(database) as connection:
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"


def test_database_url_chooses_the_database(deployment: Deployment) -> None:
    result = deployment.python("from django.db import connection; print(connection.vendor)")
    expected = "postgresql" if deployment.database_url else "sqlite"
    assert result.stdout.strip() == expected, result.stderr


def test_the_demo_secret_key_is_generated_once_and_readable_only_by_its_owner(
    tmp_path: Path,
) -> None:
    first = setting(tmp_path, "len(settings.SECRET_KEY)")
    key_file = tmp_path / "secret_key"
    key = key_file.read_text()

    assert int(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert setting(tmp_path, "settings.SECRET_KEY == open(settings.DATA_DIR / 'secret_key').read()")
    assert key_file.read_text() == key


def test_a_secret_key_is_required_when_debug_is_off(tmp_path: Path) -> None:
    result = madoguchi(tmp_path, "check", DEBUG="0", ALLOWED_HOSTS="help.tsukimi.example")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=0" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    result = madoguchi(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_host_names_it_was_not_given(tmp_path: Path) -> None:
    assert setting(tmp_path, "settings.ALLOWED_HOSTS", **PRODUCTION) == "['help.tsukimi.example']"
    assert setting(tmp_path, "settings.ALLOWED_HOSTS", DEBUG="1") == "['127.0.0.1', 'localhost']"


def test_email_settings_come_from_the_environment(tmp_path: Path) -> None:
    values = setting(
        tmp_path,
        "settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, "
        "settings.EMAIL_USE_TLS, settings.DEFAULT_FROM_EMAIL",
        **PRODUCTION,
        EMAIL_HOST="smtp.tsukimi.example",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="1",
        DEFAULT_FROM_EMAIL="support@tsukimi.example",
    )
    assert values == (
        "django.core.mail.backends.smtp.EmailBackend smtp.tsukimi.example 587 True "
        "support@tsukimi.example"
    )


def test_redis_url_moves_the_cache_and_the_channel_layer_to_redis(
    tmp_path: Path, redis_url: str
) -> None:
    code = (
        "from django.core.cache import cache; from channels.layers import get_channel_layer; "
        "from asgiref.sync import async_to_sync; import uuid; "
        "name = 'madoguchi-settings-test-' + uuid.uuid4().hex; "
        "cache.set(name, 'kept', 30); "
        "layer = get_channel_layer(); async_to_sync(layer.send)(name, {'type': 'hello'}); "
        "print(type(layer).__name__, name)"
    )
    sent = madoguchi(tmp_path, "shell", "--no-startup", "-v0", "-c", code, REDIS_URL=redis_url)
    assert sent.returncode == 0, sent.stderr
    layer, name = sent.stdout.split()
    assert layer == "RedisChannelLayer"

    # A second process sees what the first one stored: the state lives in Redis.
    code = (
        "from django.core.cache import cache; from channels.layers import get_channel_layer; "
        "from asgiref.sync import async_to_sync; "
        f"print(cache.get({name!r}), async_to_sync(get_channel_layer().receive)({name!r})['type'])"
    )
    received = madoguchi(tmp_path, "shell", "--no-startup", "-v0", "-c", code, REDIS_URL=redis_url)
    assert received.stdout.split() == ["kept", "hello"], received.stderr


def test_without_redis_the_cache_is_shared_by_every_process_of_the_machine(
    tmp_path: Path,
) -> None:
    # Rate limits must hold across the workers of `madoguchi serve`: one process's count is
    # the next one's.
    code = (
        "from django.core.cache import cache; "
        "print(1 if cache.add('hits', 1) else cache.incr('hits'))"
    )
    counts = [madoguchi(tmp_path, "shell", "--no-startup", "-v0", "-c", code) for _ in range(3)]
    assert [run.stdout.strip() for run in counts] == ["1", "2", "3"], counts[0].stderr
