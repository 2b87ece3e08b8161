"""`madoguchi list-api-tokens [--active]`: every API token, newest first; never a secret."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from madoguchi.api.models import STATE_LABELS, ApiToken, TokenState


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def describe(token: ApiToken) -> str:
    """One line: the integration, its scopes, groups and expiry."""
    return _("%(name)s — scopes: %(scopes)s; groups: %(groups)s; expires: %(expires)s") % {
        "name": token.name,
        "scopes": ", ".join(token.scopes),
        "groups": ", ".join(token.groups) or pgettext("support groups", "all"),
        "expires": local_time(token.expires_at)
        if token.expires_at
        else pgettext("expiry", "never"),
    }


def _width(text: str) -> int:
    # Japanese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "List API tokens with their scopes, groups, state and last use (never the secrets)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--active", action="store_true", help="Only tokens that work now.")

    def handle(self, *args: Any, active: bool, **options: Any) -> None:
        now = timezone.now()
        tokens = [
            token
            for token in ApiToken.objects.all()
            if not active or token.state(now) == TokenState.ACTIVE
        ]
        if not tokens:
            self.stdout.write(_("No API tokens."))
            return
        header = [
            _("ID"),
            pgettext("api token", "Name"),
            _("State"),
            _("Scopes"),
            _("Groups"),
            _("Created"),
            _("Last used"),
            _("Expires"),
        ]
        rows = [
            [
                token.public_id,
                token.name,
                str(STATE_LABELS[token.state(now)]),
                ",".join(token.scopes),
                ",".join(token.groups) or pgettext("support groups", "all"),
                local_time(token.created_at),
                local_time(token.last_used_at),
                local_time(token.expires_at),
            ]
            for token in tokens
        ]
        widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write(
                "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
