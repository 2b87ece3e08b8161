"""`madoguchi ingest-email < message.eml`: one mail from a mail server's pipe into intake.

Prints what became of it (`--json` for programs) and exits 0 for every outcome but
"quarantined" (1: the mail is kept here, but something went wrong). When the mail could not be
taken in at all (the database is away), it exits 75, EX_TEMPFAIL of sysexits.h, so that the
mail server keeps the mail in its queue and delivers it again later instead of returning it.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from madoguchi.mail.ingest import IngestResult, ingest_mail

EX_TEMPFAIL = 75

# A mail larger than this is refused before it is read whole (the pipe would hold it in memory).
MAX_BYTES = 50 * 1024 * 1024


def summary(result: IngestResult) -> str:
    """One line for a person at a terminal."""
    words = [result.outcome]
    if result.ticket_id is not None:
        words.append(_("ticket %(id)s") % {"id": result.ticket_id})
    if result.quarantine_id is not None:
        words.append(_("quarantine %(id)s") % {"id": result.quarantine_id})
    if result.reason:
        words.append(f"({result.reason})")
    if result.attachments:
        count = len(result.attachments)
        words.append(
            ngettext("%(count)d attachment", "%(count)d attachments", count) % {"count": count}
        )
    return " ".join(words)


class Command(BaseCommand):
    help = "Take in one mail read from standard input, as a mail server's pipe delivers it."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--source", default="pipe", help="where the mail came from, as recorded (pipe)"
        )
        parser.add_argument("--brand", default="", help="the brand the address belongs to")
        parser.add_argument("--language", default="", help="the language the address is for")
        parser.add_argument("--group", default="", help="the support group the address is for")

    def _read(self, stdin: Any) -> bytes:
        stream = getattr(stdin, "buffer", stdin)
        raw = stream.read(MAX_BYTES + 1)
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        if len(raw) > MAX_BYTES:
            raise CommandError(_("The mail is larger than 50 MB and was not taken in."))
        if not raw.strip():
            raise CommandError(_("No mail on standard input."))
        return bytes(raw)

    def handle(self, *args: Any, **options: Any) -> None:
        raw = self._read(options.get("stdin") or sys.stdin)
        try:
            result = ingest_mail(
                raw,
                source=options["source"],
                brand=options["brand"],
                language=options["language"],
                group=options["group"],
            )
        except DatabaseError as error:
            # Nothing was kept: the mail server must keep the mail and try again.
            raise CommandError(
                _("The mail could not be taken in now (%(error)s); deliver it again later.")
                % {"error": type(error).__name__},
                returncode=EX_TEMPFAIL,
            ) from error
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            self.stdout.write(summary(result))
        if result.outcome == "quarantined":
            # The mail is kept; the status tells the mail server something went wrong.
            raise CommandError(_("The mail was quarantined; see `madoguchi intake list`."))
