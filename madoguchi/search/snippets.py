"""Highlighted snippets computed from the original text and the analyzer's offsets.

Both backends get the same snippets, and Japanese works (no reliance on a database's idea
of word boundaries). The result is HTML-safe: text is escaped, matches are in <mark>.
"""

from __future__ import annotations

import re

from django.utils.html import escape

from madoguchi.search.analyzers import matching_spans

MAX_ANALYZED = 4000  # characters of a body read to place the snippet
WIDTH = {"ja": 90, "en": 200}

_MARKUP = [
    (re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)"), r"\1"),  # links and images: keep the text
    (re.compile(r"(?m)^\s{0,3}(?:#{1,6}|>|[-*+]|\d+[.)])\s+"), ""),  # headings, quotes, lists
    (re.compile(r"[`*_]{1,3}(?=\S)|(?<=\S)[`*_]{1,3}"), ""),  # emphasis and code marks
    (re.compile(r"\s*\n\s*"), " "),
]


def plain_text(markdown: str) -> str:
    text = markdown
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    return text.strip()


_SENTENCE = re.compile(r"[^。.!?！？\n]+[。.!?！？\n]*")


def _region(text: str, terms: set[str], width: int) -> tuple[int, int]:
    """The part of the text worth analyzing: from the sentence that most likely matches.

    Analyzing a whole article for every result is slow; a substring test of the terms
    (a stem is a prefix of its words, a normalized form usually appears as written) finds
    the sentence cheaply, and the analyzer then decides what really matches.
    """
    folded = text.casefold()
    best, best_hits = 0, 0
    for sentence in _SENTENCE.finditer(folded):
        piece = sentence.group()
        hits = sum(1 for term in terms if term in piece)
        if hits > best_hits:
            best, best_hits = sentence.start(), hits
    if not best_hits:
        return 0, min(len(text), MAX_ANALYZED)
    return best, min(len(text), best + width + width // 4)


def snippet(body: str, terms: set[str], *, locale: str) -> str:
    """About one sentence of `body` around the densest cluster of matched words."""
    full = plain_text(body)
    width = WIDTH.get(locale, WIDTH["en"])
    region_start, region_end = _region(full, terms, width)
    text = full[region_start:region_end]
    hits = matching_spans(text, terms)
    lead = "…" if region_start > 0 else ""
    tail = "…" if region_end < len(full) else ""
    if not hits:
        return lead + _escape_window(text, 0, min(len(text), width), [], tail)
    best_start, best_count = hits[0][0], 0
    for i, first in enumerate(hits):
        distinct = {h[2] for h in hits[i:] if h[1] <= first[0] + width}
        if len(distinct) > best_count:
            best_start, best_count = first[0], len(distinct)
    # A little context before the first match, cut at a word or sentence boundary.
    start = max(0, best_start - width // 5)
    if start:
        cuts = [text.find(mark, start, best_start) for mark in (" ", "。", "、")]
        cuts = [cut for cut in cuts if cut >= 0]
        if cuts:
            start = min(cuts) + 1
    end = min(len(text), start + width)
    if end < len(text) and locale != "ja":
        space = text.rfind(" ", start, end)
        end = space if space > best_start else end
    spans = [(h[0], h[1]) for h in hits if h[0] >= start and h[1] <= end]
    return ("" if start else lead) + _escape_window(text, start, end, spans, tail)


def _escape_window(
    text: str, start: int, end: int, spans: list[tuple[int, int]], tail: str = ""
) -> str:
    out: list[str] = ["…" if start > 0 else ""]
    position = start
    for span_start, span_end in spans:
        if span_start < position:
            continue
        out.append(escape(text[position:span_start]))
        out.append("<mark>" + escape(text[span_start:span_end]) + "</mark>")
        position = span_end
    out.append(escape(text[position:end]))
    out.append("…" if end < len(text) else tail)
    return "".join(out)
