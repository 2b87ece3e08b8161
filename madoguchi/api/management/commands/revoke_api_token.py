"""`madoguchi revoke-api-token ID`: the token stops working at once; its record stays."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.api.errors import ApiError, ApiErrorCode
from madoguchi.api.management.commands.list_api_tokens import local_time
from madoguchi.api.tokens import find_api_token, revoke_api_token


class Command(BaseCommand):
    help = "Revoke an API token, named by its ID (as list-api-tokens shows) or by the whole token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", help="The token's ID, e.g. k3x9a2bq, or the whole mdg_… token.")

    def handle(self, *args: Any, id: str, **options: Any) -> None:
        token = find_api_token(id)
        if token is None:
            shown = id if len(id) <= 12 else id[:12] + "…"  # part of a token, never all of it
            raise CommandError(ApiError(ApiErrorCode.TOKEN_NOT_FOUND, id=shown).message)
        if revoke_api_token(token=token):
            self.stdout.write(
                _("Revoked API token %(id)s (%(name)s): it no longer works.")
                % {"id": token.public_id, "name": token.name}
            )
        else:
            self.stdout.write(
                _("API token %(id)s (%(name)s) was already revoked on %(date)s.")
                % {
                    "id": token.public_id,
                    "name": token.name,
                    "date": local_time(token.revoked_at),
                }
            )
