"""File names safe to store and to show: one component, printable, ending in the real type."""

from __future__ import annotations

import re
import unicodedata

DEFAULT_STEM = "attachment"
MAX_NAME_BYTES = 150  # well under the 255 bytes of common file systems, in UTF-8
# Control, format (the bidi overrides U+202A-U+202E and U+2066-U+2069, zero-width
# characters), surrogate, private-use and unassigned code points, and line separators:
# none is visible, several make "invoice\u202egnp.exe" display as "invoiceexe.png".
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Reserved on Windows (which also covers the quotes and angle brackets of markup), and
# the separators of header parameters and URLs.
_RESERVED = re.compile(r'[<>:"/\\|?*;%#]')
_SPACES = re.compile(r"\s+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
# Device names that Windows opens instead of a file, whatever the extension.
_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{prefix}{digit}" for prefix in ("COM", "LPT") for digit in "123456789¹²³"}
)


def safe_name(name: str, *, extension: str) -> str:
    """`name` cleaned for storage and display, ending in `.extension` (the real type).

    Keeps Japanese and other letters; drops any path, invisible and reserved characters,
    and the extension the sender gave; shortens to MAX_NAME_BYTES of UTF-8.
    """
    text = unicodedata.normalize("NFC", name)
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(char for char in text if unicodedata.category(char) not in _INVISIBLE)
    text = _RESERVED.sub("_", text)
    text = _SPACES.sub(" ", text)
    stem = _EXTENSION.sub("", text.strip())
    stem = stem.strip(" ._")
    if stem.upper().split(".")[0] in _DEVICES:
        stem = f"_{stem}"
    if stem.lower().endswith(f".{extension.lower()}"):
        stem = stem[: -len(extension) - 1]
    suffix = f".{extension}"
    stem = _shorten(stem, MAX_NAME_BYTES - len(suffix.encode())).rstrip(" .")
    return f"{stem or DEFAULT_STEM}{suffix}"


def _shorten(text: str, limit: int) -> str:
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode(errors="ignore")
