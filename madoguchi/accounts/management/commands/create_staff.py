"""`madoguchi create-staff --email E --role R`: a staff account with a password shown once."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from madoguchi.accounts.models import STAFF_ROLES, User
from madoguchi.accounts.services import create_user


class Command(BaseCommand):
    help = "Create a staff account (agent, moderator, editor or admin) with a generated password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=sorted(STAFF_ROLES))
        parser.add_argument("--language", default="ja", choices=["ja", "en"])

    def handle(self, *args: Any, email: str, role: str, language: str, **options: Any) -> None:
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(_("Not a valid email address.")) from error
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(_("An account with this email address already exists."))
        password = secrets.token_urlsafe(18)
        user = create_user(email=email, password=password, role=role, language=language)
        self.stdout.write(
            _("Created %(role)s account %(email)s.")
            % {"role": user.get_role_display(), "email": user.email}
        )
        self.stdout.write(
            _("Password (shown only this once): %(password)s") % {"password": password}
        )
        self.stdout.write(
            _("At the first sign-in, the account must set up an authenticator app (TOTP).")
        )
