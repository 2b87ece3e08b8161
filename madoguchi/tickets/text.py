"""The one form of text a ticket stores, whatever the channel: NFC, without control characters.

Intake's normalize step writes every message in it; checks that measure text before intake
runs (the support form, the ticket API) measure it in the same form, and call text blank by
the same rule.
"""

from __future__ import annotations

import re
import unicodedata

# C0/C1 controls and lone surrogates, but not tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` with LF line breaks, in NFC, without control characters other than tab and LF."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", unicodedata.normalize("NFC", text))


def has_visible_text(text: str) -> bool:
    """Whether `text` shows anything: not only spaces, controls and invisible marks (U+200B)."""
    return any(not unicodedata.category(char).startswith(("Z", "C")) for char in text)
