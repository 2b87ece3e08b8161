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
# A word off the list altogether (mistyped in its first letters) is allowed once in twelve.
_UNKNOWN_SHARE = 12
_MAX_UNKNOWN = 3
# List words that support messages use all the time. A random phrase holds about one in
# twenty-five of them, so a run without a valid checksum that is full of them is a list of
# topics ("deposit, withdraw, trade, order, market, ..."), not a mistyped phrase. Checked:
# four or more in twelve words happens to about one random phrase in eight hundred.
_EVERYDAY = frozenset(
    """
    about above access account address again all also any balance because before bonus busy
    can cancel card cash change check close code coin confirm credit delay deposit error
    exchange fee find future hello help history hope income interest just key limit market
    method more need network never now open option order payment phone phrase please price
    private problem profit public reason report reward secret security seed sell since sorry
    spend spot still swap thank time today token trade transfer use verify want what when
    where will word
    """.split()  # noqa: SIM905 - a word list reads better as text
)
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


@dataclass(frozen=True, slots=True)
class _Word:
    language: str
    word: str  # the list word as the library spells it; "" for a near miss or an unknown word
    known: bool  # False: not on the list at all (one mistyped beyond recognition)
    span: tuple[int, int]


def _classify(token: str, span: tuple[int, int]) -> _Word | None:
    """The token as a seed word, or None for one that cannot be part of a phrase."""
    lists = _word_lists()
    if token[0] >= "\u3041":
        word = lists["japanese"].canonical.get(token)
        if word:
            return _Word("japanese", word, True, span)
        return _Word("japanese", "", False, span) if 2 <= len(token) <= 8 else None
    lowered = token.lower()
    english = lists["english"]
    word = english.canonical.get(lowered)
    if word:
        return _Word("english", word, True, span)
    if len(lowered) >= 4:
        nearest = english.by_prefix.get(lowered[:4])
        if nearest and Levenshtein.distance(lowered, nearest, score_cutoff=1) <= 1:
            return _Word("english", "", True, span)
    # BIP-39 English words have 3 to 8 letters: "I", "my", "is" are never a mistyped one.
    return _Word("english", "", False, span) if 3 <= len(lowered) <= 8 else None


def _chains(text: str) -> Iterator[list[_Word]]:
    """Words of one language with only separators between them; two unknown words in a row
    end a chain."""
    chain: list[_Word] = []
    for match in _WORD.finditer(text):
        word = _classify(match.group(), match.span())
        if (
            word is not None
            and chain
            and word.language == chain[-1].language
            and _SEPARATOR.fullmatch(text, chain[-1].span[1], match.start()) is not None
            and (word.known or chain[-1].known)
        ):
            chain.append(word)
            continue
        if chain:
            yield chain
        chain = [word] if word is not None and word.known else []
    if chain:
        yield chain


def _phrases(chain: list[_Word]) -> Iterator[list[_Word]]:
    """The longest stretches of a chain that read as a seed phrase, left to right.

    A stretch starts and ends on list words; at most one word in twelve may be off the list
    and at most one in six off the list or mistyped.
    """
    segments: list[tuple[int, int]] = []  # [start, end) of list words between unknown ones
    start = 0
    for index, word in enumerate(chain):
        if not word.known:
            if index > start:
                segments.append((start, index))
            start = index + 1
    if start < len(chain):
        segments.append((start, len(chain)))
    i = 0
    while i < len(segments):
        for j in range(min(len(segments) - 1, i + _MAX_UNKNOWN), i - 1, -1):
            words = chain[segments[i][0] : segments[j][1]]
            unknown = j - i
            loose = sum(not word.word for word in words)  # unknown and near misses
            count = len(words)
            if (
                count >= MIN_WORDS
                and unknown * _UNKNOWN_SHARE <= count
                and loose * _NEAR_MISS_SHARE <= count
            ):
                yield words
                i = j
                break
        i += 1


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

    The whole stretch is redacted, even when a part of it alone carries the checksum: a list
    word next to the phrase ("... zoo thanks") may be lost, a mistyped last word of the
    phrase may not.
    """
    for chain in _chains(text.text):
        if len(chain) < MIN_WORDS:
            continue
        for words in _phrases(chain):
            valid = checksum_is_valid([word.word for word in words], words[0].language)
            everyday = sum(word.word in _EVERYDAY for word in words)
            if valid or everyday < max(4, len(words) // 3):
                yield words[0].span[0], words[-1].span[1], valid
