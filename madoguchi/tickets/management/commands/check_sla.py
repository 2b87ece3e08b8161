"""`madoguchi check-sla`: warn before SLA targets are missed and escalate the missed ones, once
each. The worker of `madoguchi serve` runs the same check every minute; this is for cron or a
systemd timer where workers run on their own (docs/background-work.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from madoguchi.tickets.services.sla import check_sla


class Command(BaseCommand):
    help = "Send SLA warnings and escalate breached tickets (safe to run every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = check_sla()
        self.stdout.write(
            _("%(warned)d warned, %(breached)d breached, %(escalated)d escalated.")
            % {
                "warned": len(outcome.warned),
                "breached": len(outcome.breached),
                "escalated": len(outcome.escalated),
            }
        )
