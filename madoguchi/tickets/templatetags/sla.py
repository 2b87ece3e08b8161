"""`{% sla_countdown ticket %}` (and `countdown` for views): the ticket's next SLA target as a
countdown ("first response due in 2 h 10 min", "breached 15 min ago", "paused"), from the
ticket's fields alone, so a queue row costs no query. The browser moves it on
(static/tickets/console.js) with the words and times the element carries."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import lru_cache

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
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


def countdown(ticket: Ticket, *, now: datetime | None = None) -> SafeString:
    """The countdown element, or nothing when no target is counting.

    Written here rather than in a template: a queue page shows fifty, and an inclusion tag's
    context and template lookups were most of a row's cost. console.js reads the data-sla-*
    attributes and the <time> inside; keep them as they are."""
    status = sla_status(ticket, now=now or timezone.now())
    if status is None:
        return SafeString("")
    target = status.target.label
    moving = SafeString("")
    if status.state == SlaState.PAUSED:
        text = _("%(target)s: paused") % {"target": target}
    else:
        if status.state == SlaState.BREACHED:
            text = _("%(target)s breached %(ago)s ago") % {
                "target": target,
                "ago": duration_words(status.overdue),
            }
        else:
            text = _("%(target)s due in %(left)s") % {
                "target": target,
                "left": duration_words(status.remaining),
            }
        moving = format_html(
            ' data-sla-remaining-ms="{}" data-sla-warn-ms="{}" data-sla-words="{}"',
            int(status.remaining.total_seconds() * 1000),
            int(warn_before(ticket).total_seconds() * 1000),
            _clock_words(get_language(), str(target)),
        )
    due_at = timezone.localtime(status.due_at)
    return format_html(
        '<span class="badge badge--{} sla-countdown sla-countdown--{}" data-sla-countdown'
        ' data-sla-state="{}" data-sla-target="{}"{}><time datetime="{}" title="{}">{}</time>'
        "</span>",
        BADGES[status.state],
        status.state,
        status.state,
        status.target,
        moving,
        due_at.isoformat(),
        date_format(due_at, "SHORT_DATETIME_FORMAT"),
        text,
    )


@register.simple_tag
def sla_countdown(ticket: Ticket) -> SafeString:
    return countdown(ticket)


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
