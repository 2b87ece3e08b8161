"""`madoguchi verify-history [TICKET_ID ...]`: recompute the hash chain of tickets' histories."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.tickets.events import verify_history
from madoguchi.tickets.evidence.problems import HISTORY_CHECK_PROBLEMS, EvidenceProblem, Finding
from madoguchi.tickets.models import Ticket


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of the history of the tickets named, or of every ticket, "
        "and name the first entry that was changed, removed or reordered. Exits with 1 then."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ticket_ids", nargs="*", type=int, metavar="TICKET_ID")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted: list[int] = options["ticket_ids"]
        tickets = Ticket.objects.order_by("pk")
        if wanted:
            tickets = tickets.filter(pk__in=wanted)
        found: set[int] = set()
        broken = 0
        for ticket in tickets.only("pk").iterator():
            found.add(ticket.pk)
            check = verify_history(ticket)
            if check.ok:
                intact = _("intact, %(count)s entries") % {"count": check.entries}
                self.stdout.write(f"#{ticket.pk}: {intact}")
                continue
            broken += 1
            problem = (
                HISTORY_CHECK_PROBLEMS[check.problem]
                if check.problem is not None
                else EvidenceProblem.HISTORY_CHAIN_BROKEN
            )
            finding = Finding(problem, sequence=check.first_bad_sequence)
            self.stdout.write(f"#{ticket.pk}: {finding.message}")
        missing = [pk for pk in wanted if pk not in found]
        for pk in missing:
            self.stdout.write(f"#{pk}: {_('there is no such ticket')}")
        if broken or missing:
            raise CommandError(_("Not every history verifies."))
