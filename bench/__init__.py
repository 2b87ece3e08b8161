"""Benchmarks that print figures (`make bench` runs them all: `python -m bench`).

Each benchmark works in a throwaway data directory and never touches ./data.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    return Path(os.environ.get("MADOGUCHI_SHARED_DIR", REPO.parent / "shared"))


def setup_django(*, database_url: str | None = None) -> Path:
    """Point Django at a fresh data directory (and database), migrate."""
    data_dir = Path(tempfile.mkdtemp(prefix="madoguchi-bench-"))
    os.environ["MADOGUCHI_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return data_dir


def database_main(run: Callable[[str], None], main: Callable[[], None]) -> None:
    """The `__main__` of a benchmark measured in each database: `--database D` runs it in this
    process (how `search_scale.run_in_each_database` starts it); no option runs `main`."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.database:
        run(args.database)
    else:
        main()
