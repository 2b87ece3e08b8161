"""One analyzer for documents and queries: Japanese and English, even within one string.

Text is normalized (NFKC, case folding), cut into Japanese segments, which SudachiPy reads,
and Latin-script words, which are stemmed. Every token keeps its offsets so that snippets
can highlight the very characters that matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from madoguchi.search.analyzers import en, ja
from madoguchi.search.analyzers.normalize import normalize, normalize_with_offsets

__all__ = [
    "Token",
    "analyze",
    "analyze_with_offsets",
    "index_terms",
    "matching_spans",
    "normalize",
]

_JA = "\u3005\u3006\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A Japanese segment runs across the punctuation inside a sentence, so that Sudachi sees
# whole phrases; it stops at Latin letters and digits, which English rules read instead.
_SEGMENT = re.compile(
    rf"(?P<ja>[{_JA}](?:[^\w]*[{_JA}])*)|(?P<word>[^\W_{_JA}]+(?:-[^\W_{_JA}]+)*)"
)
MAX_TERM_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Token:
    term: str  # what is indexed and matched
    start: int  # offsets into the normalized text (or the original, see analyze_with_offsets)
    end: int
    lang: str  # "ja" or "en"
    word: str  # the word as written, normalized: a real word to suggest ("withdrawal")
    reading: str = ""  # katakana reading of a Japanese noun
    parts: tuple[str, ...] = ()  # shorter words inside a Japanese compound
    joined: str = ""  # a hyphenated word written solid ("e-mail" -> "email"), on each part


def _english(match: re.Match[str], tokens: list[Token]) -> None:
    text = match.group("word")
    base = match.start("word")
    pieces = text.split("-")
    joined = ""
    if 1 < len(pieces) <= 4:
        joined = en.stem("".join(en.NUMBERS.get(piece, piece) for piece in pieces))
    position = base
    for piece in pieces:
        start = position
        position += len(piece) + 1
        if piece in en.STOP_WORDS or len(piece) > MAX_TERM_LENGTH:
            continue
        if len(piece) == 1 and not piece.isdigit():
            continue
        tokens.append(
            Token(
                term=en.stem(piece),
                start=start,
                end=start + len(piece),
                lang="en",
                word=piece,
                joined=joined,
            )
        )


def _japanese(match: re.Match[str], tokens: list[Token]) -> None:
    base = match.start("ja")
    for word in ja.analyze(match.group("ja")):
        if len(word.term) > MAX_TERM_LENGTH:
            continue
        tokens.append(
            Token(
                term=word.term,
                start=base + word.start,
                end=base + word.end,
                lang="ja",
                word=word.term,
                reading=word.reading,
                parts=word.parts,
            )
        )


def analyze(text: str) -> list[Token]:
    """Tokens of already normalized text, in order, offsets into that text."""
    tokens: list[Token] = []
    for match in _SEGMENT.finditer(text):
        if match.lastgroup == "ja":
            _japanese(match, tokens)
        else:
            _english(match, tokens)
    return tokens


def analyze_with_offsets(text: str) -> list[Token]:
    """Tokens of raw text whose offsets point into the raw text (for highlighting)."""
    normalized, origin = normalize_with_offsets(text)
    return [
        Token(
            term=t.term,
            start=origin[t.start],
            end=origin[t.end] if t.end < len(origin) else len(text),
            lang=t.lang,
            word=t.word,
            reading=t.reading,
            parts=t.parts,
            joined=t.joined,
        )
        for t in analyze(normalized)
    ]


def matching_spans(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) in the raw text of every word whose term, part or solid form is
    in `terms`: what a snippet highlights. Like analyze_with_offsets, minus the tokens
    nobody asked for."""
    normalized, origin = normalize_with_offsets(text)
    spans: list[tuple[int, int, str]] = []

    def add(start: int, end: int, term: str) -> None:
        spans.append((origin[start], origin[end] if end < len(origin) else len(text), term))

    for match in _SEGMENT.finditer(normalized):
        run = match.group("ja")
        if run is not None:
            base = match.start("ja")
            for ja_word in ja.analyze(run):
                if ja_word.term in terms or any(part in terms for part in ja_word.parts):
                    add(base + ja_word.start, base + ja_word.end, ja_word.term)
            continue
        word = match.group("word")
        if "-" in word:
            tokens: list[Token] = []
            _english(match, tokens)
            for token in tokens:
                if token.term in terms or (token.joined and token.joined in terms):
                    add(token.start, token.end, token.term)
            continue
        if word in en.STOP_WORDS or len(word) > MAX_TERM_LENGTH:
            continue
        term = en.stem(word)
        if term in terms:
            add(match.start("word"), match.end("word"), term)
    return spans


def index_terms(text: str, words: set[tuple[str, str, str]] | None = None) -> tuple[str, str]:
    """The indexed form of one field: main terms in order, and the extra terms.

    Extra terms are the shorter words of Japanese compounds and hyphenated words written
    solid; they are matched with a lower weight. When `words` is given, every
    (word, term, reading) seen is added to it, for the did-you-mean vocabulary.
    Gives the same terms as `analyze`, without building tokens: indexing speed matters.
    """
    main: list[str] = []
    extra: list[str] = []
    seen = words if words is not None else set()
    for match in _SEGMENT.finditer(normalize(text)):
        run = match.group("ja")
        if run is not None:
            for term, reading, parts in ja.index_words(run):
                if len(term) > MAX_TERM_LENGTH:
                    continue
                main.append(term)
                if parts:
                    extra.extend(parts)
                seen.add((term, term, reading))
            continue
        word = match.group("word")
        if "-" in word:
            tokens: list[Token] = []
            _english(match, tokens)
            for token in tokens:
                main.append(token.term)
                seen.add((token.word, token.term, ""))
            if tokens and tokens[0].joined:
                extra.append(tokens[0].joined)
            continue
        if word in en.STOP_WORDS or len(word) > MAX_TERM_LENGTH:
            continue
        if len(word) == 1 and not word.isdigit():
            continue
        term = en.stem(word)
        main.append(term)
        seen.add((word, term, ""))
    return " ".join(main), " ".join(extra)
