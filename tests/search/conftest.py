"""A small factory of search documents, and a clean search cache for every test."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest

from madoguchi.search import synonyms, vocabulary
from madoguchi.search.documents import Document
from madoguchi.search.services import index_documents

_ids = itertools.count(1000)


def make_document(**fields: object) -> Document:
    locale = str(fields.get("locale", "ja"))
    number = int(fields.pop("id", next(_ids)))  # type: ignore[call-overload]
    slug = str(fields.pop("slug", f"doc-{number}"))
    values: dict[str, object] = {
        "type": "article",
        "id": number,
        "locale": locale,
        "slug": slug,
        "title": "",
        "body": "",
        "url": f"/{locale}/articles/{slug}/",
        "category": "account",
    }
    values.update(fields)
    return Document(**values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    vocabulary.forget_cached()
    synonyms.forget_cached()
    yield
    vocabulary.forget_cached()
    synonyms.forget_cached()


@pytest.fixture
def index(db: None) -> Callable[..., list[Document]]:
    """Index documents built from keyword dicts; returns them."""

    def add(*specs: dict[str, object]) -> list[Document]:
        documents = [make_document(**spec) for spec in specs]
        index_documents(documents)
        return documents

    return add
