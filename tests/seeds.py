"""What `migrate` leaves in an empty database, put back after a transactional test's flush.

A transactional test (a real server in a thread, row locks, WebSockets) ends with a flush that
removes the rows data migrations seeded: support groups, problem types, SLA policies, synonyms,
the official channels. tests/conftest.py calls `restore_seeds()` before every transactional
test, so each starts from a fresh install whatever ran before it. The flush comes first: the
first transactional test of a run still finds the seeds, and not every seed may run twice (the
synonyms' one inserts without looking). pytest-django's `serialized_rollback` would restore the
same rows but clashes with the flushes of transactional tests that do not opt in (their flush
re-creates role groups and permissions under new ids; "UNIQUE constraint failed:
auth_group.name" on restore).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython, SeparateDatabaseAndState

# The data migrations whose rows `restore_seeds` puts back after a flush, and the other
# RunPython migrations: those build tables, indexes or triggers (a flush leaves them in place) or
# rework rows an earlier version wrote (a flushed database has none), so they are not run again.
# tests/test_seeds.py fails when a RunPython migration is in neither set: a new one must be sorted.
SEEDS = frozenset(
    {
        ("safety", "0002_seed_demo_exchange"),
        ("search", "0003_default_synonyms"),
        ("tickets", "0002_seed_problem_types"),
        ("tickets", "0005_seed_sla_policies"),
    }
)
NOT_SEEDS = frozenset(
    {
        ("search", "0002_index_tables"),
        ("search", "0005_head_index"),
        ("search", "0006_pg_head"),
        ("search", "0007_index_follows_documents"),
        ("search", "0008_statistics_per_scope"),
        ("search", "0009_private_full_text"),
    }
)


def _run_python(operations: list[Any]) -> Iterator[RunPython]:
    for operation in operations:
        if isinstance(operation, RunPython):
            yield operation
        elif isinstance(operation, SeparateDatabaseAndState):
            yield from _run_python(operation.database_operations)


@functools.cache
def run_python_migrations() -> tuple[tuple[tuple[str, str], Any], ...]:
    """(app, migration) and forward function of every RunPython operation of madoguchi's apps,
    in the order `migrate` runs them."""
    ours = {
        config.label for config in apps.get_app_configs() if config.name.startswith("madoguchi.")
    }
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    plan: list[tuple[str, str]] = []
    for leaf in graph.leaf_nodes():
        plan.extend(node for node in graph.forwards_plan(leaf) if node not in plan)
    return tuple(
        (node, operation.code)
        for node in plan
        if node[0] in ours
        for operation in _run_python(graph.nodes[node].operations)
    )


def restore_seeds() -> None:
    """Empty the database and the cache, then run every seeding data migration again."""
    call_command("flush", interactive=False, verbosity=0)
    for node, forward in run_python_migrations():
        if node in SEEDS:
            forward(apps, None)
    cache.clear()
