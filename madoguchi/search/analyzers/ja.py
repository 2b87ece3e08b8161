"""Japanese words through SudachiPy (sudachidict-core): normalized forms, compounds, readings.

Building the dictionary takes a fraction of a second, so it is built once per process;
a Sudachi tokenizer must not be shared between threads, so each thread gets its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from sudachipy import Dictionary, SplitMode

# Parts of speech that carry meaning in a help-center question. Particles, auxiliaries,
# symbols, pronouns, adverbs, interjections and conjunctions only add noise.
_KEPT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "接尾辞"})
# Normalized forms that are content words by part of speech but say nothing about a topic.
STOP_WORDS = frozenset(
    """
    為る 有る 居る 成る 出来る 仕舞う 下さる 頂く 致す 貰う 呉れる 言う 思う 見る 行く 来る
    事 物 為 様 時 所 方 者 訳 筈 積り 等 辺 中 上 下 前 後 今 何 際 場合 的 さん 様々
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# Sudachi limits one input; long bodies are cut at line or sentence ends below this size.
MAX_CHUNK = 4000

_local = threading.local()
_dictionary_lock = threading.Lock()


@cache
def _dictionary() -> Dictionary:
    with _dictionary_lock:
        return Dictionary(dict="core")


@cache
def _kept_pos_ids() -> frozenset[int]:
    dictionary = _dictionary()
    kept: set[int] = set()
    pos_id = 0
    while True:
        try:
            pos = dictionary.pos_of(pos_id)
        except (IndexError, ValueError):
            break
        if pos is None:
            break
        if pos[0] == "名詞" or (pos[0] in _KEPT_POS and pos[1] != "非自立可能"):
            kept.add(pos_id)
        pos_id += 1
    return frozenset(kept)


@cache
def _noun_pos_ids() -> frozenset[int]:
    dictionary = _dictionary()
    return frozenset(
        pos_id for pos_id in _kept_pos_ids() if (dictionary.pos_of(pos_id) or ("",))[0] == "名詞"
    )


def _tokenizer():  # type: ignore[no-untyped-def]
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
        _local.tokenizer = tokenizer
    return tokenizer


def warm_up() -> None:
    """Build the dictionary and this thread's tokenizer now rather than on the first query."""
    _kept_pos_ids()
    _tokenizer().tokenize("出金")


@dataclass(frozen=True, slots=True)
class JaWord:
    term: str  # normalized form, e.g. 引出し -> 引き出し, ﾛｸﾞｲﾝ -> ログイン
    start: int
    end: int
    reading: str  # katakana reading of nouns (empty for other words)
    parts: tuple[str, ...]  # the shorter words of a compound (Sudachi mode A)


def _chunks(text: str) -> list[tuple[int, str]]:
    if len(text) <= MAX_CHUNK:
        return [(0, text)]
    chunks: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + MAX_CHUNK)
        if end < len(text):
            cut = max(text.rfind(mark, start, end) for mark in ("\n", "。", " ", "、"))
            if cut > start:
                end = cut + 1
        chunks.append((start, text[start:end]))
        start = end
    return chunks


def is_kana_only(text: str) -> bool:
    return all("\u3040" <= ch <= "\u30ff" for ch in text)


def _content_morphemes(text: str) -> Iterator[tuple[int, Any, str, bool]]:
    """(offset of the chunk, morpheme, normalized term, is a noun) of each content word."""
    kept = _kept_pos_ids()
    nouns = _noun_pos_ids()
    tokenizer = _tokenizer()
    for offset, chunk in _chunks(text):
        for morpheme in tokenizer.tokenize(chunk):
            pos_id = morpheme.part_of_speech_id()
            if pos_id not in kept:
                continue
            term = morpheme.normalized_form()
            if term in STOP_WORDS or (len(term) == 1 and is_kana_only(term)):
                continue
            yield offset, morpheme, term, pos_id in nouns


def _compound_parts(morpheme: Any, term: str) -> tuple[str, ...]:
    """The shorter content words of a compound noun (Sudachi mode A), for partial matches."""
    if len(term) < 3:
        return ()
    split = morpheme.split(SplitMode.A)
    if len(split) < 2:
        return ()
    kept = _kept_pos_ids()
    return tuple(
        part.normalized_form()
        for part in split
        if part.part_of_speech_id() in kept
        and not (len(part.surface()) == 1 and is_kana_only(part.surface()))
    )


def analyze(text: str) -> list[JaWord]:
    """Content words of a Japanese run of text, with offsets into `text`."""
    return [
        JaWord(
            term=term,
            start=offset + morpheme.begin(),
            end=offset + morpheme.end(),
            reading=morpheme.reading_form() if noun else "",
            parts=_compound_parts(morpheme, term) if noun else (),
        )
        for offset, morpheme, term, noun in _content_morphemes(text)
    ]


def index_words(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(term, reading, parts) of each content word: `analyze` without offsets, for indexing."""
    return [
        (term, morpheme.reading_form(), _compound_parts(morpheme, term)) if noun else (term, "", ())
        for _offset, morpheme, term, noun in _content_morphemes(text)
    ]
