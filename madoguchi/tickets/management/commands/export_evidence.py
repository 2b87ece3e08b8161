"""`madoguchi export-evidence TICKET_ID`: a ticket's record as one archive, noted in its history."""

from __future__ import annotations

import getpass
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.tickets.evidence import write_evidence
from madoguchi.tickets.models import Ticket


def _command_line_actor() -> str:
    try:
        return f"command line ({getpass.getuser()})"
    except (OSError, KeyError):  # no login name in some containers
        return "command line"


def _free_path(path: Path) -> Path:
    """`path`, or the same name with -2, -3 … when two exports fall in the same second."""
    candidate, number = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    return candidate


class Command(BaseCommand):
    help = (
        "Export a ticket's messages, attachments and hash-chained history as one ZIP with a "
        "manifest and SHA256SUMS, and record the export in the ticket's history. Prints the "
        "archive's SHA-256."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ticket_id", type=int, metavar="TICKET_ID")
        parser.add_argument(
            "--output",
            type=Path,
            metavar="PATH",
            help="the archive to write, or a folder for it; default "
            "ticket-<id>-evidence-<UTC time>.zip in the current folder",
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="the account the history names as exporter; default the command line and "
            "the system user",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ticket = Ticket.objects.filter(pk=options["ticket_id"]).first()
        if ticket is None:
            raise CommandError(_("There is no ticket #%(id)s.") % {"id": options["ticket_id"]})
        by: Any = _command_line_actor()
        if options["by"]:
            by = get_user_model().objects.filter(email__iexact=options["by"].strip()).first()
            if by is None:
                raise CommandError(
                    _("There is no account with the email %(email)s.") % {"email": options["by"]}
                )
        output: Path | None = options["output"]
        folder = output if output is None or output.is_dir() else output.parent
        folder = folder or Path.cwd()
        if output is not None and not output.is_dir() and output.exists():
            raise CommandError(
                _("%(path)s already exists; evidence is never overwritten.") % {"path": output}
            )
        if not folder.is_dir():
            raise CommandError(_("The folder %(path)s does not exist.") % {"path": folder})
        # Written beside its final name first, so a failed export leaves no half archive.
        with tempfile.NamedTemporaryFile(
            dir=folder, prefix=".evidence-", suffix=".part", delete=False
        ) as part:
            part_path = Path(part.name)
            try:
                export = write_evidence(ticket, by=by, into=part)
            except BaseException:
                part.close()
                part_path.unlink(missing_ok=True)
                raise
        if output is None or output.is_dir():
            target = _free_path(folder / export.filename)
        else:
            target = output
        try:
            part_path.rename(target)
        except OSError as error:
            raise CommandError(
                _("The export was recorded but not renamed; it is in %(path)s (%(error)s).")
                % {"path": part_path, "error": error}
            ) from error
        self.stdout.write(f"{export.sha256}  {target}")
        self.stdout.write(
            _("Recorded as entry %(sequence)s of the history of ticket #%(id)s.")
            % {"sequence": export.event_sequence, "id": export.ticket_id}
        )
