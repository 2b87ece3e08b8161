"""Attachments kept for a short while when the form comes back with an error.

Browsers never refill a file input, so a customer who fixes a TxID would otherwise have to
find their screenshots again. Files that passed the upload checks are kept in the shared
cache (Redis at scale, so any web worker finds them) for HOLD_SECONDS, each under a random
key; the page carries only a signed token naming those keys. The original bytes are kept,
not the cleaned ones, so the ticket's "SHA-256 as received" is still that of what the
customer sent. A cap on the bytes held per form keeps an attacker from filling the cache:
beyond it the customer is asked to attach the files again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from madoguchi.intake.inbound import InboundAttachment

HOLD_SECONDS = 30 * 60
DEFAULT_HOLD_BYTES = 20 * 1024 * 1024
_SALT = "madoguchi.support.held-files"
_PREFIX = "madoguchi:support-held:"


@dataclass(frozen=True)
class HeldFile:
    key: str
    name: str
    declared_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    def as_attachment(self) -> InboundAttachment:
        return InboundAttachment(name=self.name, data=self.data, declared_type=self.declared_type)


def max_hold_bytes() -> int:
    return int(getattr(settings, "MADOGUCHI_SUPPORT_HOLD_BYTES", DEFAULT_HOLD_BYTES))


def hold(files: list[InboundAttachment]) -> list[HeldFile] | None:
    """Keep `files`; None (nothing kept) when together they exceed the cap."""
    if sum(len(file.data) for file in files) > max_hold_bytes():
        return None
    held = []
    for file in files:
        key = secrets.token_urlsafe(18)
        cache.set(_PREFIX + key, (file.name, file.declared_type, file.data), timeout=HOLD_SECONDS)
        held.append(HeldFile(key, file.name, file.declared_type, file.data))
    return held


def token_for(held: list[HeldFile]) -> str:
    return signing.dumps([file.key for file in held], salt=_SALT, compress=True) if held else ""


def read(token: str) -> list[HeldFile]:
    """The files a token names that are still kept; nothing for a forged or expired token."""
    if not token:
        return []
    try:
        keys = signing.loads(token[:2000], salt=_SALT, max_age=HOLD_SECONDS)
    except signing.BadSignature:
        return []
    if not isinstance(keys, list):
        return []
    found = []
    for key in keys[:50]:
        if not isinstance(key, str):
            continue
        value = cache.get(_PREFIX + key)
        if isinstance(value, tuple) and len(value) == 3:
            name, declared_type, data = value
            found.append(HeldFile(key, str(name), str(declared_type), bytes(data)))
    return found


def renew(held: list[HeldFile]) -> list[HeldFile]:
    """Keep `held` for another HOLD_SECONDS; the ones that expired meanwhile are left out."""
    return [file for file in held if cache.touch(_PREFIX + file.key, HOLD_SECONDS)]


def release(held: list[HeldFile]) -> None:
    if held:  # an empty delete_many still opens a transaction on the disk cache
        cache.delete_many([_PREFIX + file.key for file in held])
