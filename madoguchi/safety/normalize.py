"""The one spelling of a domain, mail address or handle that the official-channel registry
stores and compares: lower-case, domains in IDNA (ASCII) form."""

from __future__ import annotations

import re

import idna

# UTS #46 treats these as label separators too, so "tsukimi．example" is the same host.
_DOTS = re.compile("[\u3002\uff0e\uff61]")
_HANDLE = re.compile(r"^[a-z0-9_.\-]{1,100}$")


def normalize_domain(value: str) -> str | None:
    """Return the ASCII (IDNA) form of a host name in lower case, or None if it is not one."""
    host = _DOTS.sub(".", value.strip()).lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].strip(".")
    if not host or " " in host or "@" in host or ":" in host:
        return None
    try:
        encoded = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    return encoded if "." in encoded else None


def normalize_mail_sender(value: str) -> str | None:
    local, at, domain = value.strip().rpartition("@")
    normalized_domain = normalize_domain(domain)
    if not at or not local or normalized_domain is None or " " in local:
        return None
    return f"{local.lower()}@{normalized_domain}"


def normalize_handle(value: str) -> str | None:
    handle = value.strip().lstrip("@").lower()
    return handle if _HANDLE.match(handle) else None


def normalize_channel_value(kind: str, value: str) -> str | None:
    """The stored form of `value` for a channel of `kind`, or None if it cannot be one."""
    if kind == "domain":
        return normalize_domain(value)
    if kind == "mail_sender":
        return normalize_mail_sender(value)
    if kind == "social_handle":
        return normalize_handle(value)
    return None
