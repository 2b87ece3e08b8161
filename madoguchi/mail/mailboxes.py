"""The IMAP mailboxes madoguchi reads (settings.MADOGUCHI_MAILBOXES), checked and typed.

Each entry is a JSON object: "name" (unique; the receiver's cursor is kept under it), "host",
"port" (993 with TLS, 143 without), "ssl" (default true), "username", "password" or
"password_env" (the name of an environment variable holding it), "folder" (default INBOX), and
what mail arriving there is for: "brand" (a key of MADOGUCHI_BRANDS), "language" (one of
LANGUAGES) and "group" (a support group's slug).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

__all__ = ["Mailbox", "configured_mailboxes", "parse_mailboxes"]

KNOWN_KEYS = frozenset(
    {
        "name",
        "host",
        "port",
        "ssl",
        "username",
        "password",
        "password_env",
        "folder",
        "brand",
        "language",
        "group",
    }
)
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


@dataclass(frozen=True, slots=True)
class Mailbox:
    """One mailbox to read, and the brand, language and group its mail is for."""

    name: str
    host: str
    port: int
    ssl: bool
    username: str
    # Never in a repr, so never in a log line or a traceback's locals summary.
    password: str = field(repr=False)
    folder: str = "INBOX"
    brand: str = ""
    language: str = ""
    group: str = ""


def _fail(position: int, name: str, problem: str) -> ImproperlyConfigured:
    where = f"{position}" if not name else f"{position} ({name})"
    return ImproperlyConfigured(
        _("MADOGUCHI_MAILBOXES entry %(where)s: %(problem)s") % {"where": where, "problem": problem}
    )


def _text(entry: Mapping[str, Any], key: str, default: str = "") -> str:
    value = entry.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise TypeError(key)
    return value.strip()


def _one(
    position: int,
    entry: object,
    brands: Mapping[str, Any],
    languages: Sequence[str],
) -> Mailbox:
    if not isinstance(entry, Mapping):
        raise _fail(position, "", _("each mailbox must be a JSON object."))
    raw_name = entry.get("name")
    name = raw_name.strip() if isinstance(raw_name, str) else ""
    unknown = sorted(set(entry) - KNOWN_KEYS)
    if unknown:
        raise _fail(position, name, _("unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)})
    try:
        host = _text(entry, "host")
        username = _text(entry, "username")
        folder = _text(entry, "folder", "INBOX") or "INBOX"
        brand = _text(entry, "brand")
        language = _text(entry, "language")
        group = _text(entry, "group")
        password_env = _text(entry, "password_env")
    except TypeError as error:
        raise _fail(position, name, _("%(key)s must be text.") % {"key": error.args[0]}) from None
    if not name or len(name) > 100:
        raise _fail(position, name, _("name is required (at most 100 characters)."))
    if not host:
        raise _fail(position, name, _("host is required."))
    if not username:
        raise _fail(position, name, _("username is required."))
    use_ssl = entry.get("ssl", True)
    if not isinstance(use_ssl, bool):
        raise _fail(position, name, _("ssl must be true or false."))
    port = entry.get("port", 993 if use_ssl else 143)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise _fail(position, name, _("port must be a number from 1 to 65535."))
    password = entry.get("password")
    if password is not None and password_env:
        raise _fail(position, name, _("give password or password_env, not both."))
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise _fail(
                position,
                name,
                _("the environment variable %(variable)s named by password_env is not set.")
                % {"variable": password_env},
            )
    if not isinstance(password, str) or not password:
        raise _fail(position, name, _("password or password_env is required."))
    if brand and brand not in brands:
        raise _fail(
            position,
            name,
            _("brand %(brand)s is not a key of MADOGUCHI_BRANDS.") % {"brand": brand},
        )
    if language and language not in languages:
        raise _fail(
            position,
            name,
            _("language must be one of %(languages)s.") % {"languages": ", ".join(languages)},
        )
    if group and not SLUG.match(group):
        raise _fail(position, name, _("group must be a support group's slug."))
    return Mailbox(
        name=name,
        host=host,
        port=port,
        ssl=use_ssl,
        username=username,
        password=password,
        folder=folder,
        brand=brand,
        language=language,
        group=group,
    )


def parse_mailboxes(
    value: object,
    *,
    brands: Mapping[str, Any] | None = None,
    languages: Sequence[str] | None = None,
) -> tuple[Mailbox, ...]:
    """Check MADOGUCHI_MAILBOXES; raises ImproperlyConfigured saying which entry is wrong and
    why (never quoting a password)."""
    if brands is None:
        brands = getattr(settings, "MADOGUCHI_BRANDS", {}) or {}
    if languages is None:
        languages = [code for code, _name in settings.LANGUAGES]
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ImproperlyConfigured(_("MADOGUCHI_MAILBOXES must be a JSON list of mailboxes."))
    mailboxes = tuple(
        _one(position, entry, brands, languages) for position, entry in enumerate(value, 1)
    )
    seen: set[str] = set()
    for position, mailbox in enumerate(mailboxes, 1):
        if mailbox.name in seen:
            raise _fail(position, mailbox.name, _("another mailbox has the same name."))
        seen.add(mailbox.name)
    return mailboxes


def configured_mailboxes() -> tuple[Mailbox, ...]:
    """The mailboxes of the settings, checked."""
    return parse_mailboxes(getattr(settings, "MADOGUCHI_MAILBOXES", []))
