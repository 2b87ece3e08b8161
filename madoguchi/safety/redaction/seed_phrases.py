"""Seed phrases: runs of BIP-39 words (English and Japanese lists of the `mnemonic` package).

Many BIP-39 words are everyday English ("about", "account", "help"), so a run counts only when
at least twelve of them follow one another with nothing but separators between them (spaces,
commas, new lines, numbering such as "1." or "(2)"). Prose never does that: articles and
pronouns ("the", "my", "is") are not on the list and break the run. A run of a standard length
whose BIP-39 checksum holds is certain; other runs are still redacted, since people mistype.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from mnemonic import Mnemonic
from rapidfuzz.distance import Levenshtein

from madoguchi.safety.redaction.normalize import NormalizedText

MIN_WORDS = 12
STANDARD_LENGTHS = frozenset({12, 15, 18, 21, 24})
# A near miss ("abandn") is one edit from a list word sharing its first four letters (BIP-39
# English words are unique in their first four); at most one in six words may be one.
_NEAR_MISS_SHARE = 6
# Checksum stretches tried per length; bounds the work on a hostile run of thousands of words.
_MAX_OFFSETS = 8

_WORD = re.compile(r"[A-Za-z]+|[\u3041-\u3096]+")
_SEPARATOR = re.compile(r"[\s,.;:()\[\]#/|\-・、，。「」\"'0-9]{1,12}")


@dataclass(frozen=True, slots=True)
class _WordList:
    mnemonic: Mnemonic
    canonical: dict[str, str]  # NFKC form -> the word as the library spells it
    by_prefix: dict[str, str]


@cache
def _word_lists() -> dict[str, _WordList]:
    lists = {}
    for language in ("english", "japanese"):
        mnemonic = Mnemonic(language)
        canonical = {unicodedata.normalize("NFKC", word): word for word in mnemonic.wordlist}
        by_prefix = {word[:4]: word for word in canonical} if language == "english" else {}
        lists[language] = _WordList(mnemonic, canonical, by_prefix)
    return lists


@dataclass(slots=True)
class _Run:
    language: str
    words: list[str]  # canonical list words, or "" for a near miss
    spans: list[tuple[int, int]]

    @property
    def near_misses(self) -> int:
        return self.words.count("")


def _classify(token: str) -> tuple[str, str] | None:
    """(language, canonical word or "" for a near miss), or None for a word not on a list."""
    lists = _word_lists()
    if token[0] >= "\u3041":
        word = lists["japanese"].canonical.get(token)
        return ("japanese", word) if word else None
    lowered = token.lower()
    english = lists["english"]
    word = english.canonical.get(lowered)
    if word:
        return "english", word
    if len(lowered) >= 4:
        nearest = english.by_prefix.get(lowered[:4])
        if nearest and Levenshtein.distance(lowered, nearest, score_cutoff=1) <= 1:
            return "english", ""
    return None


def _runs(text: str) -> Iterator[_Run]:
    run: _Run | None = None
    for match in _WORD.finditer(text):
        found = _classify(match.group())
        joined = (
            run is not None
            and found is not None
            and found[0] == run.language
            and _SEPARATOR.fullmatch(text, run.spans[-1][1], match.start()) is not None
        )
        if run is not None and not joined:
            yield run
            run = None
        if found is None:
            continue
        language, word = found
        if run is None:
            run = _Run(language, [], [])
        run.words.append(word)
        run.spans.append(match.span())
    if run is not None:
        yield run


def checksum_is_valid(words: list[str], language: str) -> bool:
    """Whether the run, or a standard-length stretch of it, is a phrase with a valid checksum.

    The stretch matters when list words stand next to the phrase ("seed phrase: abandon ...").
    """
    mnemonic = _word_lists()[language].mnemonic
    for length in sorted(STANDARD_LENGTHS, reverse=True):
        for offset in range(min(len(words) - length + 1, _MAX_OFFSETS)):
            window = words[offset : offset + length]
            if all(window) and mnemonic.check(" ".join(window)):
                return True
    return False


def find_seed_phrases(text: NormalizedText) -> Iterator[tuple[int, int, bool]]:
    """(start, end, checksum valid) of each seed phrase, in normalized positions.

    The whole run is redacted, even when a stretch of it alone carries the checksum: a list
    word next to the phrase ("... zoo thanks") may be lost, a mistyped last word of the
    phrase may not.
    """
    for run in _runs(text.text):
        count = len(run.words)
        if count >= MIN_WORDS and run.near_misses * _NEAR_MISS_SHARE <= count:
            yield run.spans[0][0], run.spans[-1][1], checksum_is_valid(run.words, run.language)
