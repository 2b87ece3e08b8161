"""`madoguchi create-api-token --name NAME --scopes S[,S]`: a token for an integration, shown once.

The token alone goes to stdout (`TOKEN=$(madoguchi create-api-token …)` works); what it
may do and the warning that it is not shown again go to stderr.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.api.errors import ApiError
from madoguchi.api.management.commands.list_api_tokens import describe
from madoguchi.api.scopes import Scope
from madoguchi.api.tokens import create_api_token


class Command(BaseCommand):
    help = "Create an API token for an integration. The token is shown only this once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name", required=True, help="The integration, e.g. 'exchange-backend'."
        )
        parser.add_argument(
            "--scopes", required=True, help="Comma-separated, from: " + ", ".join(Scope) + "."
        )
        parser.add_argument(
            "--groups",
            default="",
            help="Comma-separated support group slugs the token is limited to (default: all).",
        )
        parser.add_argument(
            "--expires-days", type=int, default=None, help="Days until it expires (default: never)."
        )

    def handle(
        self,
        *args: Any,
        name: str,
        scopes: str,
        groups: str,
        expires_days: int | None,
        **options: Any,
    ) -> None:
        try:
            issued = create_api_token(
                name=name, scopes=scopes, groups=groups, expires_in_days=expires_days
            )
        except ApiError as error:
            raise CommandError(error.message) from None
        self.stderr.write(
            _("Created API token %(id)s.") % {"id": issued.token.public_id},
            style_func=self.style.SUCCESS,
        )
        self.stderr.write(describe(issued.token), style_func=lambda text: text)
        self.stdout.write(issued.plaintext)
        self.stderr.write(
            _(
                "This token is shown only this once and cannot be recovered: store it in the "
                "integration's secret settings now. If it is lost, revoke it and create another."
            ),
            style_func=self.style.WARNING,
        )
