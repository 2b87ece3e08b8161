"""Every test that runs transactional finds the rows the data migrations seed, exactly once,
whatever ran before it (tests/conftest.py, tests/seeds.py)."""

from __future__ import annotations

import importlib

import pytest

from madoguchi.helpcenter.models import Article
from madoguchi.safety.models import OfficialChannel
from madoguchi.search.models import SynonymGroup
from madoguchi.tickets.models import ProblemType, SlaPolicy, SupportGroup
from tests.seeds import NOT_SEEDS, SEEDS, run_python_migrations

pytestmark = pytest.mark.django_db(transaction=True)

SYNONYMS = importlib.import_module("madoguchi.search.migrations.0003_default_synonyms")


def test_every_runpython_migration_is_sorted_into_seeds_or_not_seeds() -> None:
    found = {node for node, _forward in run_python_migrations()}
    assert found - (SEEDS | NOT_SEEDS) == set(), (
        "a new RunPython migration: add it to SEEDS or NOT_SEEDS in tests/seeds.py"
    )
    assert (SEEDS | NOT_SEEDS) - found == set(), "a migration named there no longer exists"


# Twice: the second run follows the first one's flush.
@pytest.mark.parametrize("run", ["first", "second"])
def test_each_test_finds_the_rows_the_data_migrations_seed_exactly_once(run: str) -> None:
    assert set(SupportGroup.objects.values_list("slug", flat=True)) == {
        "general",
        "payments",
        "security",
    }
    assert ProblemType.objects.filter(slug="deposit", group__slug="payments").exists()
    assert SlaPolicy.objects.filter(problem_type__slug="security").exists()
    assert SynonymGroup.objects.filter(note="default").count() == len(SYNONYMS.GROUPS)
    assert OfficialChannel.objects.filter(value="tsukimi.example").exists()
    assert not Article.objects.exists()  # nothing a migration did not make
