"""A pasted value before any check: full-width folded, invisible characters cut."""

from __future__ import annotations

import unicodedata

# Characters that copy along from web pages and chat apps without being seen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"))

# Longer input is not inspected further: no address or TxID comes near it.
MAX_INSPECTED_LENGTH = 1000
MAX_VALUE_LENGTH = 128


def clean_value(raw: str) -> str:
    """Fold full-width letters and digits to ASCII (NFKC), drop invisible ones, trim the ends."""
    folded = unicodedata.normalize("NFKC", raw[:MAX_INSPECTED_LENGTH])
    return folded.translate(_INVISIBLE).strip()


def is_plain_ascii(value: str) -> bool:
    """Printable ASCII without spaces: the only characters any supported format uses."""
    return all("!" <= character <= "~" for character in value)
