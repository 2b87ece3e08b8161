"""Raw message bytes to a frozen ParsedMail; never raises on bad input.

The stdlib parser runs with a policy that hands header values back untouched (original bytes
as surrogate escapes), so that headers are decoded here with charset fallbacks instead of
raising or replacing. Whatever cannot be read is described in ParsedMail.defects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from email import message_from_bytes
from email.message import Message
from email.policy import Compat32
from email.utils import parsedate_to_datetime

from .charsets import decode_bytes
from .headers import decode_addresses, decode_header, to_bytes
from .html import html_to_text

MAX_DEPTH = 20


class _RawHeaders(Compat32):
    """Compat32, but header values are returned as read (no Header objects)."""

    def header_fetch_parse(self, name: str, value: str) -> str:  # type: ignore[override]
        return value


_POLICY = _RawHeaders()


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    is_inline: bool = False
    content_id: str = ""


@dataclass(frozen=True)
class ParsedMail:
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    date: datetime | None = None
    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    text: str = ""
    html_text: str = ""
    attachments: tuple[Attachment, ...] = ()
    forwarded: tuple[ParsedMail, ...] = ()
    defects: tuple[str, ...] = field(default=())

    @property
    def body(self) -> str:
        """The text to show: the plain part, or the HTML part made into text."""
        return self.text or self.html_text


def _words(defect: object) -> str:
    name = type(defect).__name__.removesuffix("Defect")
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return "" if value is None else str(value)


def _msg_ids(value: str) -> tuple[str, ...]:
    return tuple(re.findall(r"<[^<>\s]+>", value))


class _Walker:
    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []
        self.forwarded: list[ParsedMail] = []
        self.defects: list[str] = []

    def walk(self, part: Message, in_alternative: bool = False) -> None:
        for defect in getattr(part, "defects", []):
            self.defects.append(_words(defect))
        ctype = part.get_content_type()
        if ctype == "message/rfc822" or (
            ctype.startswith("message/") and part.is_multipart() and ctype != "message/partial"
        ):
            if ctype in ("message/rfc822", "message/global"):
                self._forwarded(part)
            else:
                self._attach(part, ctype)
            return
        if part.is_multipart():
            payload = part.get_payload()
            children = (
                [c for c in payload if isinstance(c, Message)] if isinstance(payload, list) else []
            )
            if ctype == "multipart/alternative":
                self._alternative(children)
            else:
                for child in children:
                    self.walk(child, in_alternative)
            return
        disposition = (part.get_content_disposition() or "").lower()
        filename = self._filename(part)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            text = self._text(part)
            (self.html if ctype == "text/html" else self.plain).append(text)
            return
        self._attach(part, ctype)

    def _alternative(self, children: list[Message]) -> None:
        # RFC 2046 §5.1.4: alternatives in increasing faithfulness; take one plain and one
        # HTML rendering, and keep attachments from any of them (multipart/related images).
        plain_before, html_before = len(self.plain), len(self.html)
        for child in children:
            sub = _Walker(self.depth)
            sub.walk(child, True)
            self.defects.extend(sub.defects)
            self.attachments.extend(sub.attachments)
            self.forwarded.extend(sub.forwarded)
            if sub.plain and len(self.plain) == plain_before:
                self.plain.extend(sub.plain)
            if sub.html and len(self.html) == html_before:
                self.html.extend(sub.html)

    def _text(self, part: Message) -> str:
        data = self._payload(part)
        text, defect = decode_bytes(data, part.get_content_charset())
        if defect:
            self.defects.append(f"{part.get_content_type()} part: {defect}")
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def _payload(self, part: Message) -> bytes:
        try:
            data = part.get_payload(decode=True)
        except Exception:  # a bad transfer encoding must not lose the part
            self.defects.append("a part's transfer encoding could not be decoded")
            data = None
        if isinstance(data, bytes):
            return data
        payload = part.get_payload()
        if isinstance(payload, str):
            return to_bytes(payload)
        return b""

    def _filename(self, part: Message) -> str:
        for name, header in (("filename", "content-disposition"), ("name", "content-type")):
            try:
                value = part.get_param(name, header=header)
            except Exception:  # never lose the message over one part
                value = None
            if value is None:
                continue
            if isinstance(value, tuple):
                # RFC 2231 §4: charset'language'percent-encoded, continuations already joined.
                charset, _language, text = value
                raw = to_bytes(text) if text.isascii() else text.encode("latin-1", "replace")
                decoded, defect = decode_bytes(raw, charset or None)
                if defect:
                    self.defects.append(f"filename: {defect}")
                return decoded.strip()
            return decode_header(str(value), self.defects).strip().strip('"')
        return ""

    def _attach(self, part: Message, ctype: str) -> None:
        if part.is_multipart():
            payload = part.get_payload()
            chunks = (
                [c for c in payload if isinstance(c, Message)] if isinstance(payload, list) else []
            )
            try:
                data = b"\n".join(c.as_bytes(policy=_POLICY) for c in chunks)
            except Exception:  # never lose the message over one part
                data = b""
        else:
            data = self._payload(part)
        disposition = (part.get_content_disposition() or "").lower()
        content_id = _header(part, "Content-ID").strip()
        self.attachments.append(
            Attachment(
                filename=self._filename(part),
                content_type=ctype,
                data=data,
                is_inline=disposition == "inline" or (bool(content_id) and not disposition),
                content_id=content_id.strip("<> "),
            )
        )

    def _forwarded(self, part: Message) -> None:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, Message):
            self._attach(part, part.get_content_type())
            return
        if self.depth >= MAX_DEPTH:
            self.defects.append("messages nested too deep; inner ones not read")
            return
        self.forwarded.append(_from_message(inner, self.depth + 1))


def _from_message(msg: Message, depth: int = 0) -> ParsedMail:
    defects: list[str] = []
    walker = _Walker(depth)
    try:
        walker.walk(msg)
    except Exception as exc:  # keep what was read so far
        walker.defects.append(f"the structure could not be read fully ({type(exc).__name__})")
    defects.extend(walker.defects)
    senders = decode_addresses(msg.get_all("From") or msg.get_all("Sender") or [], defects)
    from_name, from_address = senders[0] if senders else ("", "")
    if not from_address:
        defects.append("no sender address")
    date = None
    raw_date = _header(msg, "Date")
    if raw_date:
        try:
            date = parsedate_to_datetime(raw_date)
        except (TypeError, ValueError, IndexError, OverflowError):
            defects.append("the date could not be read")
    html = "\n\n".join(t for t in walker.html if t.strip())
    return ParsedMail(
        subject=decode_header(_header(msg, "Subject"), defects),
        from_name=from_name,
        from_address=from_address,
        to=tuple(a for _, a in decode_addresses(msg.get_all("To") or [], defects) if a),
        cc=tuple(a for _, a in decode_addresses(msg.get_all("Cc") or [], defects) if a),
        date=date,
        message_id=(_msg_ids(_header(msg, "Message-ID")) or ("",))[0],
        in_reply_to=(_msg_ids(_header(msg, "In-Reply-To")) or ("",))[0],
        references=_msg_ids(_header(msg, "References")),
        text="\n\n".join(t.strip("\n") for t in walker.plain if t.strip()),
        html_text=html_to_text(html) if html else "",
        attachments=tuple(walker.attachments),
        forwarded=tuple(walker.forwarded),
        defects=tuple(dict.fromkeys(defects)),
    )


_HEADER_LINE = re.compile(rb"^([!-9;-~]+)([ \t]*):")


def _repair_headers(raw: bytes) -> tuple[bytes, list[str]]:
    """Fix what makes the stdlib parser end the header block early.

    A leading byte order mark is dropped, and a line in the header block that is neither a
    header (RFC 5322 §2.2: name ":" value) nor folded (§2.2.3: starts with white space) is
    taken as a continuation of the header before it, as mail readers do.
    """
    defects: list[str] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        defects.append("a byte order mark before the headers was dropped")
    lines = raw.split(b"\n")
    # A first line of only spaces would make every header a continuation of it.
    while len(lines) > 1 and lines[0].strip() == b"" and lines[0].rstrip(b"\r"):
        del lines[0]
        defects.append("a line of spaces before the headers was dropped")
    seen_header = False
    for index, line in enumerate(lines):
        bare = line.rstrip(b"\r")
        if not bare:
            break
        match = _HEADER_LINE.match(bare)
        if match:
            seen_header = True
            if match.group(2):
                # RFC 5322 §4.5.3 (obsolete syntax): white space before the colon.
                lines[index] = match.group(1) + line[match.end(2) :]
                defects.append("white space before a header's colon was removed")
        elif bare[:1] not in (b" ", b"\t") and seen_header and not bare.startswith(b"--"):
            lines[index] = b" " + line
            defects.append("a header line without a name was joined to the one before")
        elif not seen_header:
            break
    return b"\n".join(lines), defects


def parse_message(raw: bytes) -> ParsedMail:
    """Parse one message; never raises. Unreadable parts are listed in .defects."""
    try:
        raw, repaired = _repair_headers(raw)
        msg = message_from_bytes(raw, policy=_POLICY)
    except Exception as exc:  # the caller keeps the raw bytes
        text, _ = decode_bytes(raw, None)
        return ParsedMail(text=text, defects=(f"the message could not be parsed ({exc!r})",))
    try:
        parsed = _from_message(msg)
        if repaired:
            parsed = replace(parsed, defects=tuple(dict.fromkeys([*repaired, *parsed.defects])))
        return parsed
    except Exception as exc:  # never lose the message over one part
        return ParsedMail(defects=(f"the message could not be read ({type(exc).__name__})",))
