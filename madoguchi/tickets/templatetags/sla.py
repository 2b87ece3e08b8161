"""`{% sla_countdown ticket %}`: the ticket's next SLA target as a countdown ("first response
due in 2 h 10 min", "breached 15 min ago", "paused"), from the ticket's fields alone, so a queue
row costs no query. The browser moves it on (static/tickets/console.js) with the words and
times the element carries."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from madoguchi.tickets.models import Ticket
from madoguchi.tickets.sla.status import SlaState, sla_status, warn_before

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
    return {
        "status": status,
        "text": text,
        "badge": BADGES[status.state],
        "remaining_ms": int(status.remaining.total_seconds() * 1000),
        "warn_ms": int(warn_before(ticket).total_seconds() * 1000),
        "words": ""
        if status.state == SlaState.PAUSED
        else _clock_words(get_language(), str(target)),
    }


@lru_cache(maxsize=32)
def _clock_words(language: str | None, target: str) -> str:
    """What console.js needs to write the countdown again as time passes, in `language` (the
    active one; it keys the cache, as a queue page asks once a row): the two sentences with the
    target filled in, the units of `duration_words`, and the badge of each state. Placeholders
    stay in Python's %(name)s form. A paused countdown gets none: it does not move."""
    return json.dumps(
        {
            "due": _("%(target)s due in %(left)s") % {"target": target, "left": "%(left)s"},
            "breached": _("%(target)s breached %(ago)s ago") % {"target": target, "ago": "%(ago)s"},
            "days": _("%(days)d d %(hours)d h"),
            "hours": _("%(hours)d h %(minutes)d min"),
            "minutes": _("%(minutes)d min"),
            "less": _("< 1 min"),
            "badges": {str(state): badge for state, badge in BADGES.items()},
        },
        ensure_ascii=False,
    )
