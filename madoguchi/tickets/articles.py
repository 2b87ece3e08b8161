"""Help Center articles and guides an agent links in a reply, found through the search service.

Tickets may not import the Help Center; the search index already holds every published
article and guide with its title and path, which is all a link needs. The link inserted is
the title and the absolute address (settings.MADOGUCHI_BASE_URL), so it works in a mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from madoguchi.search.errors import QueryError
from madoguchi.search.models import IndexedDocument
from madoguchi.search.query import search

ARTICLE_TYPES = ("article", "guide")
MAX_RESULTS = 8
MAX_QUERY_CHARS = 200
# A Help Center page and nothing else: the index could one day hold other kinds of pages.
_HELP_CENTER_PATH = re.compile(r"/(?:ja|en)/(?:articles|guides)/[-a-zA-Z0-9_]{1,100}/")
_DOC_ID = re.compile(r"[0-9]{1,18}")  # fits a 64-bit column


@dataclass(frozen=True, slots=True)
class ArticleLink:
    ref: str  # "article:12": what the page sends back to insert this one
    title: str
    url: str  # absolute
    locale: str

    @property
    def text(self) -> str:
        """What goes into the reply."""
        return f"{self.title}\n{self.url}"


def _link(doc_type: str, doc_id: int, title: str, path: str, locale: str) -> ArticleLink | None:
    if doc_type not in ARTICLE_TYPES or not _HELP_CENTER_PATH.fullmatch(path):
        return None
    return ArticleLink(
        ref=f"{doc_type}:{doc_id}",
        title=title,
        url=settings.MADOGUCHI_BASE_URL + path,
        locale=locale,
    )


def find_articles(query: str, *, language: str) -> list[ArticleLink]:
    """Articles and guides answering `query`, best first, in `language` first. Not logged as
    a Help Center search: agents' lookups would skew what editors learn from customers."""
    text = " ".join(query[:MAX_QUERY_CHARS].split())
    if not text:
        return []
    try:
        found = search(
            text,
            locale=language if language in ("ja", "en") else "ja",
            limit=MAX_RESULTS,
            types=ARTICLE_TYPES,
            log=False,
        )
    except QueryError:
        return []
    links = (_link(hit.type, hit.id, hit.title, hit.url, hit.locale) for hit in found.results)
    return [link for link in links if link is not None]


def article_by_ref(ref: Any) -> ArticleLink | None:
    """The article or guide a page names as "article:12"; None for anything else."""
    doc_type, _, doc_id = str(ref)[:40].partition(":")
    if doc_type not in ARTICLE_TYPES or not _DOC_ID.fullmatch(doc_id):
        return None
    doc = (
        IndexedDocument.objects.filter(doc_type=doc_type, doc_id=int(doc_id))
        .only("doc_type", "doc_id", "title", "url", "locale")
        .first()
    )
    if doc is None:
        return None
    return _link(doc.doc_type, doc.doc_id, doc.title, doc.url, doc.locale)
