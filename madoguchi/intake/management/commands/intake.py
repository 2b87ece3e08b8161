"""`madoguchi intake list` shows the quarantine; `madoguchi intake retry ID` runs one again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.intake.models import QuarantinedMessage, QuarantineStatus
from madoguchi.intake.quarantine import NotRetryable, retry


class Command(BaseCommand):
    help = "Look at and retry messages that intake quarantined or held."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        listing = commands.add_parser("list", help="quarantined and held messages")
        listing.add_argument("--all", action="store_true", help="include those taken in")
        again = commands.add_parser("retry", help="run a quarantined message through intake again")
        again.add_argument("ids", nargs="+", type=int, metavar="ID")
        again.add_argument(
            "--release",
            action="store_true",
            help="a held message joins the ticket it named (an agent checked the sender)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            rows = QuarantinedMessage.objects.order_by("created_at")
            if not options["all"]:
                rows = rows.exclude(status=QuarantineStatus.RESOLVED)
            for row in rows:
                self.stdout.write(
                    f"{row.pk}\t{row.status}\t{row.channel}\t{row.step}\t"
                    f"{row.created_at:%Y-%m-%d %H:%M}\t{row.reason[:80]}"
                )
            return
        failed = False
        for quarantine_id in options["ids"]:
            try:
                outcome = retry(quarantine_id, release_hold=options["release"])
            except QuarantinedMessage.DoesNotExist:
                raise CommandError(f"no quarantined message {quarantine_id}") from None
            except NotRetryable:
                self.stdout.write(f"{quarantine_id}\talready taken in")
                continue
            ticket = f"\tticket {outcome.ticket_id}" if outcome.ticket_id else ""
            reason = f"\t{outcome.reason}" if outcome.reason else ""
            self.stdout.write(f"{quarantine_id}\t{outcome.outcome}{ticket}{reason}")
            failed = failed or outcome.outcome == "quarantined"
        if failed:
            raise CommandError("some messages failed again; they stay in the quarantine")
