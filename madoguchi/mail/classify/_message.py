"""Parsing bytes into an EmailMessage and reading headers without ever raising.

The stdlib parser with `email.policy.default` raises on some malformed headers when a value is
read (not when the message is parsed), so these helpers read the raw, unparsed header values
(`raw_items`) and decode RFC 2047 encoded-words themselves, falling back to the raw text.
"""

from __future__ import annotations

import email
import email.policy
import functools
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import getaddresses

EMPTY = EmailMessage(policy=email.policy.compat32)


@functools.lru_cache(maxsize=2)
def parse(raw: bytes) -> EmailMessage:
    """The message in `raw`; an empty message if the parser gives up (it rarely does).

    Read with the compat32 policy: these helpers read raw header values themselves, and the
    default policy parses a header anew on every read (most of a mail's parsing time). Cached
    for the last mails, so that the classifiers of one mail share one parse; callers only read
    the message, never change it.
    """
    # A byte order mark before the first header hides every header from the parser.
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        message = email.message_from_bytes(raw, _class=EmailMessage, policy=email.policy.compat32)
    except Exception:  # a classifier must never lose a message to a parser bug
        return EMPTY
    return message if isinstance(message, EmailMessage) else EMPTY


def _unfold(value: str) -> str:
    return " ".join(value.replace("\r", "").split("\n")).strip()


def raw_values(message: Message, name: str) -> list[str]:
    """Every value of header `name`, unfolded, undecoded, in order of appearance."""
    wanted = name.lower()
    try:
        items = list(message.raw_items())
    except Exception:
        return []
    return [_unfold(str(value)) for key, value in items if key.lower() == wanted]


@functools.lru_cache(maxsize=256)
def decode_words(value: str) -> str:
    """`value` with its RFC 2047 encoded-words decoded; the raw text if they are broken.

    Cached: the classifiers of one mail read its Subject and From each, and the stdlib decoder
    is slow on long encoded headers."""
    if "=?" not in value:
        # No encoded-word: nothing to decode but the raw 8-bit bytes some mailers send.
        return _undo_surrogates(value)
    try:
        decoded = str(make_header(decode_header(value)))
    except Exception:
        decoded = value
    return _undo_surrogates(decoded)


def _undo_surrogates(text: str) -> str:
    """Raw 8-bit header bytes (RFC 6532 UTF-8, or a legacy charset sent without encoding)
    reach us as surrogate escapes: read them as UTF-8, else CP932 or EUC-JP, else replace."""
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    for charset in ("utf-8", "cp932", "euc-jp"):
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def text_value(message: Message, name: str) -> str:
    """The first value of header `name`, decoded for reading; "" if absent."""
    values = raw_values(message, name)
    return decode_words(values[0]) if values else ""


def addresses(message: Message, *names: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of the address headers `names`; names decoded."""
    pairs: list[tuple[str, str]] = []
    for name in names:
        for value in raw_values(message, name):
            try:
                found = getaddresses([value])
            except Exception:  # an unreadable address list names nobody
                found = []
            pairs.extend((decode_words(display), address) for display, address in found if address)
    return pairs


def content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "text/plain"


def param(part: Message, name: str) -> str:
    try:
        value = part.get_param(name, header="content-type")
    except Exception:
        return ""
    return value if isinstance(value, str) else ""


def subparts(part: Message) -> list[Message]:
    """The direct children of a multipart, or the enclosed message of a message/* part."""
    try:
        payload = part.get_payload()
    except Exception:
        return []
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    return []


def walk(part: Message) -> list[Message]:
    try:
        return list(part.walk())
    except Exception:
        return [part]


def payload_text(part: Message) -> str:
    """The part's body as text, whatever its transfer encoding; "" if unreadable."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    try:
        payload = part.get_payload()
    except Exception:
        return ""
    return payload if isinstance(payload, str) else ""
