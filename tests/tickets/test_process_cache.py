"""A per-process copy of admin-edited rows: read once, read again after a committed change (in
every process), never after a rolled-back one, and at the latest after its maximum age."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test.utils import override_settings

from madoguchi.tickets.models import Tag
from madoguchi.tickets.process_cache import ProcessCache

pytestmark = pytest.mark.django_db

MAX_AGE = "MADOGUCHI_TEST_PROCESS_CACHE_SECONDS"


class TagNames:
    """The tags' names as a copy holds them, and how many times it read the database."""

    def __init__(self, version_key: str) -> None:
        self.loads = 0
        self.copy = ProcessCache(
            load=self.load, version_key=version_key, max_age_settings=(MAX_AGE,)
        )
        self.copy.watch(Tag)

    def load(self) -> tuple[str, ...]:
        self.loads += 1
        return tuple(Tag.objects.values_list("name", flat=True))


@pytest.fixture
def version_key() -> str:
    # A key of each test's own, so no copy or token of another test is seen.
    return f"madoguchi:test:process-cache:{uuid.uuid4().hex}"


@pytest.fixture
def names(version_key: str) -> Iterator[TagNames]:
    with override_settings(**{MAX_AGE: 60}):
        yield TagNames(version_key)


def test_the_rows_are_read_once_and_then_served_from_the_copy(names: TagNames) -> None:
    Tag.objects.create(name="vip")
    assert names.copy.get() == ("vip",)
    assert names.copy.get() == ("vip",)
    assert names.loads == 1


def test_a_committed_change_is_seen_by_every_process_but_not_before_it_commits(
    names: TagNames, version_key: str, django_capture_on_commit_callbacks: Any
) -> None:
    other_process = TagNames(version_key)
    assert names.copy.get() == other_process.copy.get() == ()
    with django_capture_on_commit_callbacks() as committed:
        Tag.objects.create(name="vip")
    assert names.copy.get() == ()  # not committed yet: the copy read before still serves
    for callback in committed:
        callback()
    assert names.copy.get() == other_process.copy.get() == ("vip",)
    assert names.loads == other_process.loads == 2


def test_a_rolled_back_change_is_never_read_again(
    names: TagNames, django_capture_on_commit_callbacks: Any
) -> None:
    assert names.copy.get() == ()
    with (
        django_capture_on_commit_callbacks(execute=True) as committed,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        Tag.objects.create(name="vip")
        raise RuntimeError("the admin's save failed")
    assert committed == []
    assert names.copy.get() == ()
    assert names.loads == 1


def test_a_change_without_a_signal_is_seen_once_the_copy_is_older_than_its_maximum_age(
    names: TagNames,
) -> None:
    Tag.objects.create(name="vip")
    assert names.copy.get() == ("vip",)
    Tag.objects.filter(name="vip").update(name="VIP")  # update() sends no signal
    assert names.copy.get() == ("vip",)
    # The copy is older than a nanosecond, however quick the machine.
    with override_settings(**{MAX_AGE: 1e-9}):
        assert names.copy.get() == ("VIP",)


def test_a_version_the_shared_cache_lost_is_never_taken_for_the_old_one(
    names: TagNames, version_key: str
) -> None:
    names.copy.get()
    cache.delete(version_key)  # evicted, or the cache server restarted
    names.copy.get()
    assert names.loads == 2


def test_a_maximum_age_of_zero_reads_the_database_every_time(names: TagNames) -> None:
    with override_settings(**{MAX_AGE: 0}):
        assert not names.copy.enabled()
        names.copy.get()
        names.copy.get()
    assert names.loads == 2


def test_the_first_maximum_age_setting_that_is_set_wins(version_key: str) -> None:
    copy = ProcessCache(
        load=tuple,
        version_key=version_key,
        max_age_settings=("MADOGUCHI_NOT_SET_ANYWHERE", "MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS"),
    )
    with override_settings(MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS=7):
        assert copy.max_age() == 7
    with override_settings(MADOGUCHI_NOT_SET_ANYWHERE=3, MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS=7):
        assert copy.max_age() == 3
