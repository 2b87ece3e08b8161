"""Find the links in free text (plain, Markdown or HTML) with linkify-it-py, markdown-it's sibling.

Matching runs on a copy of the text normalized one character at a time, so every span found
points straight back into the original: full-width letters and dots (ｔｓｕｋｉｍｉ．example)
are seen as the host they render as, and Japanese punctuation after a URL is not part of it.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import tldextract
from linkify_it import LinkifyIt

# RFC 2606 reserved names, so the demo's tsukimi.example reads like any real domain.
RESERVED_SUFFIXES = ("example", "test", "invalid", "localhost")

_DOT_BETWEEN_LABELS = re.compile(r"(?<=[\w-])[\u3002\uff0e\uff61](?=[\w-])")


@dataclass(frozen=True, slots=True)
class FoundLink:
    raw: str  # as written in the original text
    url: str  # with a scheme, from the normalized copy
    start: int
    end: int
    is_email: bool


@lru_cache(maxsize=1)
def domain_parser() -> tldextract.TLDExtract:
    """tldextract on its bundled Public Suffix List snapshot only: no network, no cache dir."""
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, extra_suffixes=RESERVED_SUFFIXES
    )


@lru_cache(maxsize=1)
def _top_level_domains() -> list[str]:
    top_levels = {suffix.rsplit(".", 1)[-1] for suffix in domain_parser().tlds}
    # Longest first, so the regex alternation prefers "community" over "co".
    return sorted(top_levels | set(RESERVED_SUFFIXES), key=lambda t: (-len(t), t))


_per_thread = threading.local()


def _linkifier() -> LinkifyIt:
    # A LinkifyIt keeps the state of its last match on itself: one per thread.
    linkifier: LinkifyIt | None = getattr(_per_thread, "linkifier", None)
    if linkifier is None:
        options = {"fuzzy_link": True, "fuzzy_email": True, "fuzzy_ip": True}
        linkifier = LinkifyIt(options=options).tlds(_top_level_domains(), False)
        _per_thread.linkifier = linkifier
    return linkifier


def _fold(char: str) -> str:
    if char.isascii():
        return char
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def _split_at_wide_punctuation(char: str) -> str:
    # 「」。、 and the like end a URL in Japanese text even without a space after them.
    if not char.isascii() and unicodedata.category(char)[0] in "PZC":
        return " "
    return char


@lru_cache(maxsize=8192)
def _folded(char: str) -> str:
    return _fold(char)


@lru_cache(maxsize=8192)
def _split(char: str) -> str:
    return _split_at_wide_punctuation(char)


def matching_copy(text: str) -> str:
    """`text` with full-width forms folded, the same length as `text`."""
    if text.isascii():
        return _DOT_BETWEEN_LABELS.sub(".", text)
    # One character at a time, each answer remembered: a message repeats its characters.
    folded = _DOT_BETWEEN_LABELS.sub(".", "".join(map(_folded, text)))
    return "".join(map(_split, folded))


def find_links(text: str) -> list[FoundLink]:
    """Every http(s) URL, bare domain, www. form and e-mail address in `text`, in order."""
    copy = matching_copy(text)
    linkifier = _linkifier()
    if not linkifier.test(copy):
        return []
    found: list[FoundLink] = []
    for match in linkifier.match(copy) or []:
        found.append(
            FoundLink(
                raw=text[match.index : match.last_index],
                url=match.url,
                start=match.index,
                end=match.last_index,
                is_email=match.schema == "mailto:" or match.url.lower().startswith("mailto:"),
            )
        )
    return found
