"""`{% sla_countdown ticket %}` (and `countdown` for views): the ticket's next SLA target as a
countdown ("first response due in 2 h 10 min", "breached 15 min ago", "paused"), from the
ticket's fields alone, so a queue row costs no query. The browser moves it on
(static/tickets/console.js) with the words and times the element carries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from html import escape

from django import template
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from madoguchi.tickets.models import SlaTarget, Ticket
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
    return _duration(span, _words(get_language()))


def _duration(span: timedelta, words: _Words) -> str:
    minutes = int(abs(span).total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return words.days % {"days": days, "hours": hours}
    if hours:
        return words.hours % {"hours": hours, "minutes": minutes}
    if minutes:
        return words.minutes % {"minutes": minutes}
    return words.less


@dataclass(frozen=True, slots=True)
class _Words:
    """The countdown's sentences and units in one language."""

    paused: str
    breached: str
    due: str
    days: str
    hours: str
    minutes: str
    less: str
    targets: dict[str, str]


@lru_cache(maxsize=16)
def _words(language: str | None) -> _Words:
    # Translated once a process for each language (the key): a queue page asks for them on
    # each of its fifty rows, and each gettext costs as much as the rest of the row's words.
    return _Words(
        paused=_("%(target)s: paused"),
        breached=_("%(target)s breached %(ago)s ago"),
        due=_("%(target)s due in %(left)s"),
        days=_("%(days)d d %(hours)d h"),
        hours=_("%(hours)d h %(minutes)d min"),
        minutes=_("%(minutes)d min"),
        less=_("< 1 min"),
        targets={str(value): str(label) for value, label in SlaTarget.choices},
    )


class LocalTimes:
    """Times in the active time zone and their short date, for the rows of one page: the zone
    and the format are looked up once, not per row (each lookup reads the thread's locals)."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self.labels: dict[datetime, str] = {}
        # The format split once into what dateformat.format splits it into on every call: the
        # names of DateFormat's methods (odd places) and the text between, unescaped.
        self.pieces = [
            (bool(place % 2), piece if place % 2 else dateformat.re_escaped.sub(r"\1", piece))
            for place, piece in enumerate(
                dateformat.re_formatchars.split(str(get_format("SHORT_DATETIME_FORMAT")))
            )
            if piece
        ]

    def local(self, moment: datetime) -> datetime:
        # What timezone.localtime does for an aware time.
        return moment.astimezone(self.zone)

    def short(self, local: datetime) -> str:
        """date_format(local, "SHORT_DATETIME_FORMAT"), once per time."""
        if local not in self.labels:
            formatter = dateformat.DateFormat(local)
            self.labels[local] = "".join(
                str(getattr(formatter, piece)()) if method else piece
                for method, piece in self.pieces
            )
        return self.labels[local]


def countdown(
    ticket: Ticket, *, now: datetime | None = None, times: LocalTimes | None = None
) -> SafeString:
    """The countdown element, or nothing when no target is counting.

    Written here rather than in a template: a queue page shows fifty, and an inclusion tag's
    context and template lookups were most of a row's cost; for the same reason the text is
    escaped with the standard library's `html.escape` (what Django's `escape` calls) rather
    than through `format_html`. `times` is shared by the rows of one page.
    console.js reads the data-sla-* attributes and the <time> inside; keep them as they are."""
    status = sla_status(ticket, now=now or timezone.now())
    if status is None:
        return SafeString("")
    language = get_language()
    words = _words(language)
    target = words.targets[status.target]
    moving = ""
    if status.state == SlaState.PAUSED:
        text = words.paused % {"target": target}
    else:
        if status.state == SlaState.BREACHED:
            text = words.breached % {"target": target, "ago": _duration(status.overdue, words)}
        else:
            text = words.due % {"target": target, "left": _duration(status.remaining, words)}
        moving = (
            f' data-sla-remaining-ms="{int(status.remaining.total_seconds() * 1000)}"'
            f' data-sla-warn-ms="{int(warn_before(ticket).total_seconds() * 1000)}"'
            f' data-sla-words="{escape(_clock_words(language, target))}"'
        )
    times = times or LocalTimes()
    due_at = times.local(status.due_at)
    label = times.short(due_at)
    state = status.state.value
    return SafeString(
        f'<span class="badge badge--{BADGES[status.state]} sla-countdown sla-countdown--{state}"'
        f' data-sla-countdown data-sla-state="{state}" data-sla-target="{escape(status.target)}"'
        f'{moving}><time datetime="{due_at.isoformat()}" title="{escape(label)}">'
        f"{escape(text)}</time></span>"
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
