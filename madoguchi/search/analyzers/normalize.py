"""Character normalization shared by documents and queries: NFKC, case folding, clean-up.

Two paths give the same text: `normalize` for indexing (fast, no offsets) and
`normalize_with_offsets` for snippets, which also maps every normalized character back
to its position in the original text so that highlights land on what the reader sees.
"""

from __future__ import annotations

import re
import unicodedata

# Control characters, lone surrogates, the replacement character and invisible format
# characters become spaces: they never belong to a word, and a space keeps lengths stable.
_JUNK = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffd\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
)
# Half-width voiced marks and combining marks join the character before them under NFKC.
_COMBINING = re.compile("[\u0300-\u036f\u3099\u309a\uff9e\uff9f]")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def normalize(text: str) -> str:
    """NFKC, case folding, and junk characters replaced by spaces."""
    text = _JUNK.sub(" ", text)
    return unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """The normalized text and, for each of its characters, the index it came from.

    The map has one extra entry at the end (len(text)) so that an end offset maps too.
    """
    cleaned = _JUNK.sub(" ", text)
    plain = unicodedata.normalize("NFKC", cleaned).casefold().translate(_QUOTES)
    if len(plain) == len(text):
        # Nothing changed length: positions line up one to one.
        return plain, list(range(len(text) + 1))
    pieces: list[str] = []
    origin: list[int] = []
    i = 0
    n = len(cleaned)
    while i < n:
        j = i + 1
        while j < n and _COMBINING.match(cleaned[j]):
            j += 1
        piece = unicodedata.normalize("NFKC", cleaned[i:j]).casefold().translate(_QUOTES)
        pieces.append(piece)
        origin.extend([i] * len(piece))
        i = j
    origin.append(len(text))
    return "".join(pieces), origin
