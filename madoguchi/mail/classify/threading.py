"""The ticket a reply refers to: the reply token of a per-ticket address and the Message-IDs
of In-Reply-To and References, to be matched against our own. A subject tag such as "[#123]"
is returned only as a hint for the agent: a subject tag alone never adds a message to someone's
ticket, since anyone can type it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from madoguchi.mail.classify._message import addresses, parse, raw_values, text_value

__all__ = ["ThreadReference", "thread_reference"]

TOKEN = re.compile(r"[A-Za-z0-9_-]{10,40}")
ANGLE_ID = re.compile(r"<\s*([^<>\s]+@[^<>\s]+?)\s*>")
BARE_ID = re.compile(r"[^<>\s,;\"()]+@[^<>\s,;\"()]+")
SUBJECT_TAG = re.compile(r"\[#\s*(\d{1,12})\s*\]")
DEFAULT_REPLY_ADDRESS = "support@tsukimi.example"


@dataclass(frozen=True)
class ThreadReference:
    reply_tokens: tuple[str, ...]  # from support+<token>@<our domain>, in header order
    in_reply_to: tuple[str, ...]  # Message-IDs, with angle brackets
    references: tuple[str, ...]  # Message-IDs, oldest first as sent
    subject_hint: str | None  # "123" from "[#123]": a hint for the agent, never a reference

    @property
    def message_ids(self) -> tuple[str, ...]:
        """In-Reply-To first, then References newest first, without repeats."""
        return tuple(dict.fromkeys((*self.in_reply_to, *reversed(self.references))))

    @property
    def has_reference(self) -> bool:
        return bool(self.reply_tokens or self.message_ids)


def _message_ids(values: list[str]) -> tuple[str, ...]:
    """Message-IDs of In-Reply-To/References (RFC 5322 §3.6.4), tolerant of junk: comments,
    commas, quoted phrases some mailers add, and ids without their angle brackets."""
    found: list[str] = []
    for value in values:
        bracketed = [f"<{match}>" for match in ANGLE_ID.findall(value)]
        if not bracketed:
            bracketed = [f"<{match}>" for match in BARE_ID.findall(value)]
        found.extend(bracketed)
    return tuple(dict.fromkeys(found))


def _split_address(address: str) -> tuple[str, str]:
    local, _, domain = address.strip().rpartition("@")
    return local, domain.strip().strip(".").lower()


def _reply_tokens(message_addresses: list[tuple[str, str]], bases: list[str]) -> tuple[str, ...]:
    wanted = [(_split_address(base)[0].lower(), _split_address(base)[1]) for base in bases]
    tokens: list[str] = []
    for _display, address in message_addresses:
        local, domain = _split_address(address)
        base_local, _, token = local.partition("+")
        if not token or not TOKEN.fullmatch(token):
            continue
        # Local parts are compared without case, as most servers do (RFC 5321 §2.4 allows it).
        if (base_local.lower(), domain) in wanted:
            tokens.append(token)
    return tuple(dict.fromkeys(tokens))


def thread_reference(
    raw: bytes, reply_addresses: Iterable[str] = (DEFAULT_REPLY_ADDRESS,)
) -> ThreadReference:
    """What in `raw` points at an existing ticket. `reply_addresses` are the base support
    addresses ("support@tsukimi.example"); tokens for any other domain are ignored."""
    message = parse(raw)
    bases = [address for address in reply_addresses if "@" in address]
    recipients = addresses(message, "To", "Cc", "Delivered-To", "X-Original-To")
    hint = SUBJECT_TAG.search(text_value(message, "Subject"))
    return ThreadReference(
        reply_tokens=_reply_tokens(recipients, bases),
        in_reply_to=_message_ids(raw_values(message, "In-Reply-To")),
        references=_message_ids(raw_values(message, "References")),
        subject_hint=hint.group(1) if hint else None,
    )
