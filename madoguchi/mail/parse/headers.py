"""Header values to text: RFC 2047 encoded-words, raw 8-bit bytes, and addresses.

Headers arrive as strings holding the original bytes as surrogate escapes (the parser reads
them as ASCII with surrogateescape), so nothing is lost before we decide on a charset.
"""

from __future__ import annotations

import base64
import binascii
import re
from email.utils import getaddresses

from .charsets import decode_bytes

# RFC 2047 §2: =?charset?encoding?encoded-text?= ; RFC 2231 §5 allows charset*language.
_ENCODED_WORD = re.compile(rb"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?\s]*)\?=")
_FOLD = re.compile(rb"\r?\n(?=[ \t])")
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def to_bytes(value: str) -> bytes:
    """The original bytes of a header value read with surrogateescape."""
    return value.encode("utf-8", "surrogateescape")


def _decode_word(encoding: bytes, text: bytes) -> bytes:
    if encoding in (b"B", b"b"):
        # Senders drop the padding; add it back (RFC 2047 §4.1 requires it).
        text = text + b"=" * (-len(text) % 4)
        try:
            return base64.b64decode(text)
        except (binascii.Error, ValueError):
            return base64.b64decode(re.sub(rb"[^A-Za-z0-9+/]", b"", text) + b"==", validate=False)
    # RFC 2047 §4.2: "_" is a space in Q encoding.
    return binascii.a2b_qp(text.replace(b"_", b" "))


def decode_header(value: str | bytes | None, defects: list[str] | None = None) -> str:
    """Decode one header value to text; never raises."""
    if value is None:
        return ""
    raw = value if isinstance(value, bytes) else to_bytes(str(value))
    raw = _FOLD.sub(b"", raw)
    # Pieces of (charset label or None, bytes); adjacent words in the same charset are joined
    # before decoding, so a character split across two encoded-words comes out whole.
    pieces: list[tuple[str | None, bytes]] = []
    pos = 0
    last_was_word = False
    for match in _ENCODED_WORD.finditer(raw):
        between = raw[pos : match.start()]
        # RFC 2047 §6.2: white space between adjacent encoded-words is not displayed.
        if between and not (last_was_word and not between.strip()):
            pieces.append((None, between))
        label = match.group(1).decode("ascii", "replace").lower()
        try:
            data = _decode_word(match.group(2), match.group(3))
        except (binascii.Error, ValueError):
            data = match.group(0)
            label = ""
            if defects is not None:
                defects.append("an encoded-word could not be decoded")
        if pieces and pieces[-1][0] == label and last_was_word:
            pieces[-1] = (label, pieces[-1][1] + data)
        else:
            pieces.append((label, data))
        pos = match.end()
        last_was_word = True
    if pos < len(raw):
        pieces.append((None, raw[pos:]))
    out: list[str] = []
    for label, data in pieces:
        text, defect = decode_bytes(data, label or None)
        if defect and defects is not None:
            defects.append(defect)
        out.append(text)
    return re.sub(r"[\r\n\t]+", " ", "".join(out)).strip()


def decode_addresses(values: list[str], defects: list[str] | None = None) -> list[tuple[str, str]]:
    """(display name, address) pairs from address headers; names decoded, never raises."""
    result: list[tuple[str, str]] = []
    for value in values:
        value = str(value)
        try:
            pairs = getaddresses([value])
        except Exception:  # a malformed header must not lose the message
            pairs = []
        good = [(n, a) for n, a in pairs if "@" in a or a]
        if not good or not any("@" in a for _, a in good):
            found = _ADDRESS.findall(decode_header(value))
            if found:
                if defects is not None:
                    defects.append("an address header was malformed; addresses picked out")
                good = [("", a) for a in found]
        for name, address in good:
            result.append((decode_header(name, defects), decode_header(address).strip("<>")))
    return result
