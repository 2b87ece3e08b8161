"""Statistics per scope: tickets never move a public search, the Help Center never moves a
ticket search, and writes, removals, `madoguchi reindex` and the upgrade keep both right."""

from __future__ import annotations

import random
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from madoguchi.search import documents as registry
from madoguchi.search import vocabulary
from madoguchi.search.documents import PRIVATE, PUBLIC, Document, DocumentSource
from madoguchi.search.models import IndexStatistics, TermStatistic
from madoguchi.search.query import SearchResults, autocomplete, search
from madoguchi.search.services import clear_index, index_documents, remove_document
from tests.search.conftest import make_document

TICKET = "ticket"  # registered as a private type by the tickets app
JA_WORDS = ["入金", "出金", "口座", "確認", "反映", "送金", "手数料", "本人", "認証", "停止"]
EN_WORDS = ["deposit", "withdrawal", "account", "verify", "pending", "fee", "transfer", "login"]
PUBLIC_QUERIES = [
    ("ja", "入金"),
    ("ja", "入金 反映"),
    ("ja", "口座 確認"),
    ("ja", "手数料"),
    ("en", "deposit pending"),
    ("en", "withdrawal fee"),
    ("en", "depost"),  # a typo: the did-you-mean must not change either
]


def _text(rng: random.Random, words: list[str], length: int) -> str:
    return " ".join(rng.choice(words) for _ in range(length))


def help_center() -> list[Document]:
    """Enough articles that common words match more documents than a search scores, so the
    full-text engine's own ranking decides the candidates too."""
    rng = random.Random(4)
    articles = []
    for n in range(1, 121):
        locale, words = ("ja", JA_WORDS) if n % 2 else ("en", EN_WORDS)
        articles.append(
            make_document(
                id=n,
                slug=f"article-{n}",
                locale=locale,
                title=_text(rng, words, rng.randint(1, 4)),
                body=_text(rng, words, rng.randint(5, 60)),
                tags=tuple(rng.sample(words, 2)),
            )
        )
    return articles


def tickets(count: int, *, first: int = 1) -> list[Document]:
    """Tickets full of the Help Center's own words, 入金 above all."""
    rng = random.Random(first)
    return [
        make_document(
            type=TICKET,
            id=n,
            slug=str(n),
            locale="ja" if n % 3 else "en",
            title="入金 " + _text(rng, JA_WORDS + EN_WORDS, 2),
            body="入金 deposit " * rng.randint(1, 20) + _text(rng, JA_WORDS + EN_WORDS, 30),
            category="payments",
        )
        for n in range(first, first + count)
    ]


def _hits(found: SearchResults, *, ties: bool) -> list[tuple[object, ...]]:
    hits = [(hit.type, hit.slug, hit.score) for hit in found.results]
    # Equal scores are ordered by row id, which a reindex gives out anew.
    return hits if ties else sorted(hits, key=lambda hit: (-hit[2], hit[1]))


def public_view(*, ties: bool = True) -> list[object]:
    """Everything a public searcher sees, scores included (`ties`: in the order they came)."""
    seen: list[object] = []
    for locale, query in PUBLIC_QUERIES:
        found = search(query, locale=locale, limit=50, log=False)
        seen.append(
            (
                query,
                found.total,
                found.suggestion,
                found.facets,
                _hits(found, ties=ties),
            )
        )
    for locale, prefix in [("ja", "入"), ("ja", "口座 確"), ("en", "dep"), ("en", "with")]:
        seen.append([(s.title, s.url) for s in autocomplete(prefix, locale=locale, limit=20)])
    return seen


def ticket_view(*, ties: bool = True) -> list[object]:
    found = [
        search(query, locale=locale, limit=50, types=(TICKET,), log=False)
        for locale, query in [("ja", "入金 反映"), ("ja", "口座"), ("en", "deposit fee")]
    ]
    return [_hits(results, ties=ties) for results in found]


def scope_figures() -> tuple[dict[str, tuple[int, ...]], dict[tuple[str, str], int]]:
    totals = {
        row.scope: (
            row.documents,
            row.title_tokens,
            row.tags_tokens,
            row.body_tokens,
            row.extra_tokens,
        )
        for row in IndexStatistics.objects.all()
    }
    terms = {
        (row.scope, row.term): row.documents
        for row in TermStatistic.objects.filter(documents__gt=0)
    }
    return totals, terms


@pytest.mark.django_db
def test_indexing_many_tickets_leaves_every_public_score_rank_and_suggestion_unchanged() -> None:
    index_documents(help_center())
    before = public_view()
    assert before[0][1] > 50  # 入金 matches more articles than a search scores

    index_documents(tickets(600), workers=1)
    vocabulary.forget_cached()

    assert IndexStatistics.objects.get(scope=PRIVATE).documents == 600
    assert public_view() == before


@pytest.mark.django_db
def test_the_public_scope_counts_help_center_articles_only() -> None:
    index_documents(help_center())
    index_documents(tickets(50))
    public = IndexStatistics.objects.get(scope=PUBLIC)
    assert public.documents == 120
    assert TermStatistic.objects.get(scope=PUBLIC, term="入金").documents < 120
    assert TermStatistic.objects.get(scope=PRIVATE, term="入金").documents == 50


@pytest.mark.django_db
def test_a_ticket_search_ranks_with_ticket_statistics_only() -> None:
    index_documents(tickets(200))
    alone = ticket_view()
    assert all(alone)

    index_documents(help_center())

    assert ticket_view() == alone


@pytest.mark.django_db
def test_a_search_mixing_public_and_private_types_is_refused() -> None:
    with pytest.raises(ValueError, match="not both"):
        search("入金", locale="ja", types=("article", TICKET), log=False)


@pytest.mark.django_db
def test_updates_and_removals_keep_both_scopes_as_a_fresh_index_of_what_is_left() -> None:
    articles, ticket_docs = help_center(), tickets(80)
    index_documents(articles + ticket_docs)
    # Tickets change (a reply), move nowhere, and go; articles change and go.
    changed = [
        make_document(**{**_fields(doc), "body": doc.body + " 送金 停止"})
        for doc in ticket_docs[:20]
    ]
    index_documents([*changed, make_document(**{**_fields(articles[0]), "title": "停止"})])
    for doc in ticket_docs[20:35]:
        remove_document(type=TICKET, id=doc.id)
    remove_document(type="article", id=articles[1].id)
    index_documents([make_document(**{**_fields(articles[2]), "visible": False})])
    figures, view, private = scope_figures(), public_view(ties=False), ticket_view(ties=False)

    survivors = [
        make_document(**{**_fields(articles[0]), "title": "停止"}),
        *articles[3:],
        *changed,
        *ticket_docs[35:],
    ]
    clear_index()
    vocabulary.forget_cached()
    index_documents(survivors)

    assert scope_figures() == figures
    assert IndexStatistics.objects.get(scope=PRIVATE).documents == 65
    assert public_view(ties=False) == view
    assert ticket_view(ties=False) == private


def _fields(doc: Document) -> dict[str, object]:
    return {name: getattr(doc, name) for name in Document.__slots__}


@pytest.fixture
def sources() -> Iterator[tuple[list[Document], list[Document]]]:
    articles, ticket_docs = help_center(), tickets(60)
    saved = dict(registry._SOURCES)
    registry._SOURCES.clear()
    registry.register_source(
        DocumentSource(type="article", count=lambda: len(articles), documents=lambda: articles)
    )
    registry.register_source(
        DocumentSource(
            type=TICKET, count=lambda: len(ticket_docs), documents=lambda: ticket_docs, private=True
        )
    )
    yield articles, ticket_docs
    registry._SOURCES.clear()
    registry._SOURCES.update(saved)


@pytest.mark.django_db
def test_reindex_rebuilds_both_scopes_as_the_writes_left_them(
    sources: tuple[list[Document], list[Document]],
) -> None:
    articles, ticket_docs = sources
    index_documents(articles + ticket_docs)
    figures, view, private = scope_figures(), public_view(ties=False), ticket_view(ties=False)
    index_documents(tickets(30, first=500))  # stale: no source has them

    call_command("reindex", stdout=StringIO(), stderr=StringIO())
    vocabulary.forget_cached()

    assert scope_figures() == figures
    assert public_view(ties=False) == view
    assert ticket_view(ties=False) == private


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_an_installation_indexed_before_scopes_upgrades_to_the_same_figures_and_results() -> None:
    index_documents(help_center() + tickets(120))
    figures, view, private = scope_figures(), public_view(), ticket_view()

    # Back to one set of statistics and one pair of full-text tables for everything, as an
    # installation indexed before scopes has them; then upgrade.
    _migrate(("search", "0007_index_follows_documents"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT documents FROM search_statistics WHERE id = 1")
        assert cursor.fetchone() == (240,)
    _migrate(("search", "0009_private_full_text"))
    vocabulary.forget_cached()

    assert scope_figures() == figures
    assert public_view() == view
    assert ticket_view() == private
    # Writes after the upgrade go on in the right scope.
    index_documents(tickets(10, first=900))
    assert IndexStatistics.objects.get(scope=PRIVATE).documents == 130
    assert public_view() == view
