"""Detection runs on NFKC-normalized text; this maps every position back to the original.

Full-width digits and letters ("１２３", "ａｂｃ") and half-width katakana fold into the forms
the detectors look for, while the redaction still removes the exact characters the customer typed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Half-width katakana voicing marks are not combining characters, yet NFKC composes them
# with the kana before them ("ﾊﾟ" -> "パ"), so they travel with that kana.
_JOINS_PREVIOUS = frozenset("\uff9e\uff9f")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    text: str
    starts: tuple[int, ...] | None  # None: identical to the original (ASCII or already NFKC)
    ends: tuple[int, ...] | None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def normalize(original: str) -> NormalizedText:
    # Most messages, Japanese ones included, are already in NFKC: nothing to map back.
    if original.isascii() or unicodedata.is_normalized("NFKC", original):
        return NormalizedText(original, None, None)
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(original)
    while i < n:
        j = i + 1
        while j < n and (unicodedata.combining(original[j]) or original[j] in _JOINS_PREVIOUS):
            j += 1
        folded = unicodedata.normalize("NFKC", original[i:j])
        pieces.append(folded)
        starts.extend([i] * len(folded))
        ends.extend([j] * len(folded))
        i = j
    return NormalizedText("".join(pieces), tuple(starts), tuple(ends))
