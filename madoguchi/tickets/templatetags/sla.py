"""`{% sla_countdown ticket %}`: the ticket's next SLA target as a countdown ("first response
due in 2 h 10 min", "breached 15 min ago", "paused"), from the ticket's fields alone, so a queue
row costs no query."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.tickets.models import Ticket
from madoguchi.tickets.sla.status import SlaState, sla_status

register = template.Library()

BADGES = {
    SlaState.OK: "info",
    SlaState.WARNING: "warning",
    SlaState.BREACHED: "danger",
    SlaState.PAUSED: "muted",
}


def duration_words(span: timedelta) -> str:
    """A short, rounded-down length of time: "2 d 3 h", "2 h 10 min", "15 min", "< 1 min"."""
    minutes = int(abs(span).total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("< 1 min")


@register.inclusion_tag("tickets/agent/_countdown.html")
def sla_countdown(ticket: Ticket) -> dict[str, Any]:
    status = sla_status(ticket, now=timezone.now())
    if status is None:
        return {"status": None}
    target = status.target.label
    if status.state == SlaState.PAUSED:
        text = _("%(target)s: paused") % {"target": target}
    elif status.state == SlaState.BREACHED:
        text = _("%(target)s breached %(ago)s ago") % {
            "target": target,
            "ago": duration_words(status.overdue),
        }
    else:
        text = _("%(target)s due in %(left)s") % {
            "target": target,
            "left": duration_words(status.remaining),
        }
    return {"status": status, "text": text, "badge": BADGES[status.state]}
