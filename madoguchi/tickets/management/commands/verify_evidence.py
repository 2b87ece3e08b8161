"""`madoguchi verify-evidence ARCHIVE`: recompute an evidence archive's hashes and history chain."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.tickets.evidence import verify_archive


class Command(BaseCommand):
    help = (
        "Check an evidence archive: every file against manifest.json and SHA256SUMS, and the "
        "hash chain of history.json. Exits with 1 when anything does not match."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, metavar="ARCHIVE")
        parser.add_argument(
            "--against-records",
            action="store_true",
            help="also compare with this installation's database: the export must be in the "
            "ticket's history and every archived entry must match it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["archive"]
        try:
            with path.open("rb") as archive:
                sha256 = hashlib.file_digest(archive, "sha256").hexdigest()
                archive.seek(0)
                report = verify_archive(archive, against_records=options["against_records"])
        except OSError as error:
            raise CommandError(
                _("%(path)s cannot be read: %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        self.stdout.write(_("Archive: %(path)s") % {"path": path})
        self.stdout.write(f"SHA-256: {sha256}")
        if report.ticket_id is not None:
            self.stdout.write(_("Ticket: #%(id)s") % {"id": report.ticket_id})
        self.stdout.write(_("Files checked: %(count)s") % {"count": report.files_checked})
        self.stdout.write(
            _("History: %(count)s entries, last hash %(head)s")
            % {"count": report.history_entries, "head": report.history_head or "-"}
        )
        if report.ok:
            self.stdout.write(_("Intact: every file and the history chain match."))
            return
        for finding in report.findings:
            self.stdout.write(f"- {finding.message}")
        raise CommandError(_("The archive does not verify."))
