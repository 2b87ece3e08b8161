"""The in-memory copy of the problem types: read once, read again after an admin's change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from madoguchi.tickets import catalogue
from madoguchi.tickets.models import FieldKind, ProblemField, ProblemType

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cached() -> Iterator[None]:
    catalogue._snapshot = None
    cache.delete(catalogue.VERSION_KEY)
    with override_settings(MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS=60):
        yield
    catalogue._snapshot = None


def test_a_problem_type_is_read_from_the_database_once() -> None:
    first = catalogue.problem_type("deposit")
    assert first is not None and first.group is not None and first.group.slug == "payments"
    with CaptureQueriesContext(connection) as queries:
        again = catalogue.problem_type("deposit")
        fields = [field.key for field in again.fields.all()] if again else []
    assert len(queries) == 0
    assert "txid" in fields
    assert catalogue.problem_type("no-such-type") is None


def test_an_admins_change_is_seen_once_it_has_committed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert catalogue.problem_type("login") is not None
    deposit = ProblemType.objects.get(slug="deposit")
    with django_capture_on_commit_callbacks() as committed:
        ProblemField.objects.create(
            problem_type=deposit,
            key="exchange_name",
            kind=FieldKind.TEXT,
            label_ja="送金元の取引所",
            label_en="Exchange you sent from",
            position=99,
        )
    # Not committed yet: the copy read before the change still serves.
    before = catalogue.problem_type("deposit")
    assert before is not None and "exchange_name" not in [f.key for f in before.fields.all()]
    for callback in committed:
        callback()
    seen = catalogue.problem_type("deposit")
    assert seen is not None and "exchange_name" in [field.key for field in seen.fields.all()]


def test_a_change_that_is_rolled_back_is_never_seen(
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert catalogue.problem_type("deposit") is not None
    with (
        django_capture_on_commit_callbacks(execute=True) as committed,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        ProblemType.objects.filter(slug="deposit").update(name_en="Changed")  # no signal
        ProblemType.objects.get(slug="deposit").save()  # a signal, inside the transaction
        raise RuntimeError("the admin's save failed")
    assert committed == []
    seen = catalogue.problem_type("deposit")
    assert seen is not None and seen.name_en == "Deposit not credited"


def test_with_no_seconds_every_lookup_reads_the_database() -> None:
    with override_settings(MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS=0):
        catalogue.problem_type("deposit")
        with CaptureQueriesContext(connection) as queries:
            catalogue.problem_type("deposit")
    assert len(queries) > 0
