"""What the search service indexes: one flat, frozen document per searchable object.

Apps that own searchable things (the Help Center now; tickets, the forum and
announcements later) turn their objects into `Document`s and hand them to
`madoguchi.search.services`. The search app never imports those apps: they register a
`DocumentSource` so that `madoguchi reindex` can ask them for everything again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Document:
    type: str  # "article", "guide", later "ticket", "post", "announcement"
    id: int
    locale: str  # "ja" or "en"
    slug: str
    title: str
    body: str  # plain text or Markdown source; the analyzer reads words, not markup
    url: str
    category: str = ""  # category slug, the facet
    category_name: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    visible: bool = True  # unpublished documents are indexed only if visible is True
    # Slug of the same document in the other language (same type), if any: search shows the
    # requested language's version first and lets it inherit its translation's relevance.
    translation_of: str = ""


@dataclass(frozen=True, slots=True)
class DocumentSource:
    """Everything of one type, for a full rebuild: `count()` for the progress bar.

    A private type (tickets) is found only by a search that names it in `types`: public
    searches, suggestions and autocomplete never return it, and its words stay out of the
    shared vocabulary that did-you-mean draws on. Private types are counted in their own
    scope (statistics, and on SQLite their own full-text tables), so that no public score
    depends on private text and no ticket score on the Help Center's.
    """

    type: str
    count: Callable[[], int]
    documents: Callable[[], Iterable[Document]]
    private: bool = False


_SOURCES: dict[str, DocumentSource] = {}


def register_source(source: DocumentSource) -> None:
    _SOURCES[source.type] = source


def registered_sources() -> list[DocumentSource]:
    return list(_SOURCES.values())


def private_types() -> tuple[str, ...]:
    return tuple(sorted(source.type for source in _SOURCES.values() if source.private))


PUBLIC = "public"
PRIVATE = "private"


def scope_of(doc_type: str) -> str:
    """The scope a document of this type is counted and ranked in."""
    return PRIVATE if doc_type in private_types() else PUBLIC


def scope_for(types: Iterable[str] | None) -> str:
    """The one scope a search over `types` ranks in (no types: a public search).

    A search mixing public and private types is refused: its scores would mix two
    collections' statistics, and a public caller has no business naming a private type.
    """
    if not types:
        return PUBLIC
    scopes = {scope_of(doc_type) for doc_type in types}
    if len(scopes) > 1:
        raise ValueError("a search covers public or private document types, not both")
    return scopes.pop()
