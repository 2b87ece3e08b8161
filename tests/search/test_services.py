"""Index writes: updates and deletes are followed, and `madoguchi reindex` rebuilds all."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

from madoguchi.search import documents as registry
from madoguchi.search.documents import DocumentSource
from madoguchi.search.query import search
from madoguchi.search.selectors import zero_result_queries
from madoguchi.search.services import index_documents, remove_document
from tests.search.conftest import make_document

pytestmark = pytest.mark.django_db


def slugs(query: str, locale: str = "ja") -> list[str]:
    return [hit.slug for hit in search(query, locale=locale, log=False).results]


def test_an_updated_document_is_found_by_its_new_words_only() -> None:
    index_documents([make_document(id=1, slug="fees", title="手数料", body="入金の手数料")])
    assert slugs("入金") == ["fees"]
    index_documents([make_document(id=1, slug="fees", title="手数料", body="出金の手数料")])
    assert slugs("入金") == []
    assert slugs("出金") == ["fees"]
    assert search("手数料", locale="ja", log=False).total == 1


def test_a_removed_document_is_no_longer_found() -> None:
    index_documents([make_document(id=2, slug="gone", title="口座の凍結")])
    remove_document(type="article", id=2)
    assert slugs("凍結") == []
    remove_document(type="article", id=2)  # removing twice is harmless


def test_a_document_that_is_not_visible_is_taken_out() -> None:
    index_documents([make_document(id=3, slug="draft", title="送金の方法")])
    index_documents([make_document(id=3, slug="draft", title="送金の方法", visible=False)])
    assert slugs("送金") == []


@pytest.fixture
def registered_source() -> Iterator[None]:
    docs = [make_document(id=n, slug=f"a{n}", title=f"口座 {n}") for n in range(1, 8)]
    saved = dict(registry._SOURCES)
    registry.register_source(
        DocumentSource(type="article", count=lambda: len(docs), documents=lambda: iter(docs))
    )
    yield
    registry._SOURCES.clear()
    registry._SOURCES.update(saved)


def test_reindex_rebuilds_everything_from_the_sources(registered_source: None) -> None:
    index_documents([make_document(id=99, slug="stale", title="口座 古い")])
    out = StringIO()
    call_command("reindex", stdout=out, stderr=StringIO())
    assert "7" in out.getvalue()
    found = search("口座", locale="ja", log=False)
    assert found.total == 7
    assert "stale" not in [hit.slug for hit in found.results]


def test_searches_that_found_nothing_are_listed_for_editors() -> None:
    index_documents([make_document(id=5, slug="login", title="ログイン")])
    search("ログイン", locale="ja")
    for _ in range(2):
        search("存在しない話題", locale="ja")
    search("nothing here", locale="en")
    rows = zero_result_queries(days=30)
    assert [(r.query, r.locale, r.count) for r in rows] == [
        ("存在しない話題", "ja", 2),
        ("nothing here", "en", 1),
    ]


def test_searches_are_logged_with_a_capped_query() -> None:
    search("x" * 5000 + " 口座", locale="ja")
    rows = zero_result_queries()
    assert len(rows[0].query) <= 200


@pytest.mark.django_db(transaction=True)
def test_bulk_indexing_in_worker_processes_finds_the_same() -> None:
    docs = [
        make_document(id=n, slug=f"bulk-{n}", title=f"出金 {n}", body="USDT withdrawal")
        for n in range(1, 1201)
    ]
    assert index_documents(docs, workers=2) == 1200
    found = search("出金", locale="ja", log=False)
    assert found.total == 1200
    assert search("withdrawals", locale="ja", log=False).total == 1200


def test_rows_deleted_behind_the_services_back_leave_no_index_entries() -> None:
    from madoguchi.search.models import IndexedDocument

    index_documents([make_document(id=7, slug="x", title="口座の解約")])
    IndexedDocument.objects.all().delete()
    found = search("口座", locale="ja", log=False)
    assert (found.total, found.results) == (0, [])
