"""Shared fixtures, and the rule for outside services: skip with a reason, fail under CI=true."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator

import pytest

# Real mail servers (Dovecot for IMAP, aiosmtpd as the SMTP peer), as fixtures for any test.
pytest_plugins = ["tests.servers.dovecot", "tests.servers.smtp_peer"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_configure(config: pytest.Config) -> None:
    """`MADOGUCHI_TEST_DB=postgres pytest` runs the suite on MADOGUCHI_TEST_DATABASE_URL.

    The choice is an environment variable, not an option, because tests/settings.py is
    imported before any conftest hook runs.
    """
    if os.environ.get("MADOGUCHI_TEST_DB") != "postgres":
        return
    if not os.environ.get("MADOGUCHI_TEST_DATABASE_URL"):
        message = "PostgreSQL skipped: MADOGUCHI_TEST_DATABASE_URL is not set"
        if IN_CI:
            raise pytest.UsageError(message + " (CI=true: a skip is a failure)")
        config.stash[_PG_SKIP] = message
        return
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(f"MADOGUCHI_TEST_DB=postgres but the database is {engine}")


_PG_SKIP = pytest.StashKey[str]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = config.stash.get(_PG_SKIP, None)
    if reason:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    return f"madoguchi database under test: {settings.DATABASES['default']['ENGINE']}"


def require_service(what: str, available: bool) -> None:
    """Skip a test whose outside service is missing; under CI=true, fail instead."""
    if available:
        return
    message = f"{what} is not available"
    if IN_CI:
        pytest.fail(message + " (CI=true: a skip is a failure)")
    pytest.skip(message)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    require_service("Debian's chromium (/usr/bin/chromium)", os.path.exists(path))
    return path


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("MADOGUCHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    require_service("Redis on 127.0.0.1:6379", port_open("127.0.0.1", 6379))
    return url


@pytest.fixture(autouse=True)
def fresh_install_for_transactional_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    """A transactional test starts from what `migrate` leaves, whatever ran before it: the flush
    that ended the previous one removed the seeded groups, problem types and policies
    (tests/seeds.py). Afterwards the cache is emptied and the default language is active again."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        yield
        return
    from django.core.cache import cache
    from django.utils import translation

    from tests.seeds import restore_seeds

    request.getfixturevalue("transactional_db")
    restore_seeds()
    yield
    cache.clear()
    # A request to /en/ leaves English active in the thread; the next test starts in Japanese.
    translation.deactivate()
