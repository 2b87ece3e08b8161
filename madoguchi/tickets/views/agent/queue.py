"""The queues: the agent's groups, their own tickets, the unassigned ones, those breaching
their SLA soon, and their saved views; urgent first, then the first response due soonest.

A page is read with one query of per-page + 1 rows and never counted in full: the tabs show
counts that stop at 99+, so a queue of a million tickets costs what a queue of fifty does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import urlencode

from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from madoguchi.tickets import selectors
from madoguchi.tickets.forms import (
    ACTIVE,
    ALL,
    BREACHING,
    MINE,
    UNASSIGNED,
    QueueFilterForm,
    QueueSearchForm,
    SavedViewForm,
)
from madoguchi.tickets.models import (
    ACTIVE_STATUSES,
    Priority,
    SavedView,
    Status,
    SupportGroup,
    Ticket,
)
from madoguchi.tickets.permissions import visible_tickets
from madoguchi.tickets.templatetags.sla import LocalTimes, countdown
from madoguchi.tickets.views.agent.access import agent_only, groups_of
from madoguchi.tickets.views.agent.presenting import markers

PER_PAGE = 50
# Nobody pages through ten thousand tickets; a deeper page number falls back to the first.
MAX_PAGE = 200
# "Breaching soon": the next SLA target is missed already or falls due within this time.
BREACHING_WITHIN = timedelta(hours=2)
MAX_SAVED_VIEWS = 30


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the queue as the strings it shows: each template lookup, filter and tag of
    fifty rows costs, so the labels, the address, the formatted times and the countdown are
    worked out here, once per row (and the group, type and label names once per page)."""

    id: str
    url: str
    select_label: str
    subject: str
    problem_type: str
    priority: str
    priority_badge: str
    priority_label: str
    status: str
    status_label: str
    group: str
    assignee: str
    created_at: str
    age: str
    due_at: str
    due_label: str
    overdue: bool
    countdown: SafeString
    secrets: bool
    lookalikes: bool


PRIORITY_BADGES: dict[str, str] = {Priority.URGENT: "danger", Priority.HIGH: "warning"}

# What a row shows and its countdown reads (sla.status); the rest of a ticket (its details,
# account context, JSON of the form) is not read for fifty rows.
ROW_FIELDS = (
    "subject",
    "status",
    "priority",
    "created_at",
    "first_response_due_at",
    "first_response_at",
    "next_response_due_at",
    "resolution_due_at",
    "sla_paused_at",
    "sla_warned",
    "safety_flags",
)
# The names a row shows from the ticket's group, problem type and assignee, read by the same
# joins select_related would make but as plain values on the ticket: three model objects a row
# were a tenth of the page's time. Each name in every language, as models.core._in_language
# picks them: the active language's, else the Japanese one.
ROW_NAMES = {
    "row_group_ja": F("group__name_ja"),
    "row_group_en": F("group__name_en"),
    "row_problem_type_ja": F("problem_type__name_ja"),
    "row_problem_type_en": F("problem_type__name_en"),
    "row_assignee": F("assignee__email"),
}


def row_tickets(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """`tickets` with what a row shows and nothing else."""
    return tickets.select_related(None).only(*ROW_FIELDS).annotate(**ROW_NAMES)


class _Units:
    """One of timesince's unit words ("3 days"), translated once a page for each number: the
    plural lookup per row was a fifth of a row's cost."""

    def __init__(self, words: Any) -> None:
        self.words = words
        self.done: dict[int, str] = {}

    def __mod__(self, values: dict[str, int]) -> str:
        number = values["num"]
        if number not in self.done:
            self.done[number] = self.words % values
        return self.done[number]


def rows(tickets: list[Ticket], *, now: datetime) -> list[Row]:
    statuses = {value: str(label) for value, label in Status.choices}
    priorities = {value: str(label) for value, label in Priority.choices}
    # One reverse for the page: the address differs only by the ticket's number.
    pattern = reverse("tickets:agent_ticket", kwargs={"ticket_id": 0}).replace("/0/", "/{}/")
    select = _("Select ticket #%(id)s")
    units = {name: _Units(words) for name, words in TIME_STRINGS.items()}
    times = LocalTimes()  # shared with the countdowns
    language = (get_language() or "ja")[:2]
    group_name, problem_type_name = f"row_group_{language}", f"row_problem_type_{language}"

    def name(ticket: Ticket, field: str, japanese: str) -> str:
        return getattr(ticket, field, "") or getattr(ticket, japanese) or ""

    result = []
    for ticket in tickets:
        flags = markers(ticket)
        due = ticket.first_response_due_at
        due_local = times.local(due) if due else None
        number = str(ticket.pk)
        result.append(
            Row(
                id=number,
                url=pattern.format(number),
                select_label=select % {"id": number},
                subject=ticket.subject,
                problem_type=name(ticket, problem_type_name, "row_problem_type_ja"),
                priority=ticket.priority,
                priority_badge=PRIORITY_BADGES.get(ticket.priority, "muted"),
                priority_label=priorities.get(ticket.priority, ticket.priority),
                status=ticket.status,
                status_label=statuses.get(ticket.status, ticket.status),
                group=name(ticket, group_name, "row_group_ja"),
                assignee=getattr(ticket, "row_assignee", None) or "",
                created_at=times.local(ticket.created_at).isoformat(),
                age=timesince(ticket.created_at, now, time_strings=units),  # type: ignore[arg-type]
                due_at=due_local.isoformat() if due_local else "",
                due_label=times.short(due_local) if due_local else "",
                overdue=bool(due and not ticket.first_response_at and due < now),
                countdown=countdown(ticket, now=now, times=times),
                secrets=flags.secrets,
                lookalikes=flags.lookalikes,
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class RowWords:
    """The words every row may show, translated once a page."""

    no_group: str
    nobody: str
    overdue: str
    lookalike_title: str
    lookalike: str
    secret_title: str
    secret: str

    @classmethod
    def current(cls) -> RowWords:
        return cls(
            no_group=_("none"),
            nobody=_("unassigned"),
            overdue=_("overdue"),
            lookalike_title=_("A look-alike link was found and disabled"),
            lookalike=_("Look-alike link"),
            secret_title=_("Secrets were removed from a message"),
            secret=_("Secret removed"),
        )


def row_html(row: Row, words: RowWords) -> SafeString:
    """One <tr> of the queue table (queue.html has the table around it).

    Written as an f-string, not a template: fifty rows of template variables, tags and filters
    were a third of the page's CPU time. Every value is escaped with the standard library's
    `html.escape`, which is what Django's `escape` calls (format_html's lazy-string checks of
    each argument cost more than the escaping). The data-* attributes are what console.js,
    queue_live.js, the shortcuts and the tests look for."""
    problem_type = (
        f'<br><span class="muted">{escape(row.problem_type)}</span>' if row.problem_type else ""
    )
    group = (
        escape(row.group) if row.group else f'<span class="muted">{escape(words.no_group)}</span>'
    )
    assignee = (
        escape(row.assignee)
        if row.assignee
        else f'<span class="muted">{escape(words.nobody)}</span>'
    )
    if row.due_at:
        overdue = (
            f' <span class="badge badge--danger agent-overdue">{escape(words.overdue)}</span>'
            if row.overdue
            else ""
        )
        due = f'<time datetime="{escape(row.due_at)}">{escape(row.due_label)}</time>{overdue}'
    else:
        due = '<span class="muted">—</span>'
    lookalike = (
        '<span class="badge badge--danger agent-flag agent-flag--lookalike"'
        f' title="{escape(words.lookalike_title)}">⚠ {escape(words.lookalike)}</span>'
        if row.lookalikes
        else ""
    )
    secret = (
        '<span class="badge badge--warning agent-flag agent-flag--secret"'
        f' title="{escape(words.secret_title)}">🔒 {escape(words.secret)}</span>'
        if row.secrets
        else ""
    )
    number = escape(row.id)
    return SafeString(
        f'    <tr class="agent-queue__row" data-queue-row data-ticket="{number}">\n'
        f'      <td class="numeric"><input type="checkbox" name="tickets" value="{number}"'
        f' form="bulk-form" aria-label="{escape(row.select_label)}"> {number}</td>\n'
        f'      <td><a data-queue-link href="{escape(row.url)}">{escape(row.subject)}</a>'
        f"{problem_type}</td>\n"
        f'      <td><span class="badge badge--{escape(row.priority_badge)} agent-priority'
        f' agent-priority--{escape(row.priority)}">{escape(row.priority_label)}</span></td>\n'
        f'      <td><span class="agent-status agent-status--{escape(row.status)}">'
        f"{escape(row.status_label)}</span></td>\n"
        f"      <td>{group}</td>\n"
        f"      <td>{assignee}</td>\n"
        f'      <td><time datetime="{escape(row.created_at)}">{escape(row.age)}</time></td>\n'
        f"      <td>{due}\n        {row.countdown}\n</td>\n"
        f"      <td>\n        {lookalike}\n        {secret}\n      </td>\n"
        "    </tr>\n"
    )


@dataclass(frozen=True, slots=True)
class Tab:
    label: str
    query: str
    count: int | None
    current: bool

    @property
    def count_label(self) -> str:
        if self.count is None:
            return ""
        return f"{self.count - 1}+" if self.count >= selectors.COUNT_UP_TO else str(self.count)


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "")
    number = int(raw) if raw.isdigit() and len(raw) < 6 else 1
    return number if 1 <= number <= MAX_PAGE else 1


def queue_tickets(
    form: QueueFilterForm, user: Any, groups: list[SupportGroup], visible: QuerySet[Ticket]
) -> QuerySet[Ticket]:
    """The tickets the filters of `form` pick out of `visible`, in queue order."""
    return filtered_tickets({name: form.value(name) for name in form.fields}, user, groups, visible)


def filtered_tickets(
    filters: dict[str, str], user: Any, groups: list[SupportGroup], visible: QuerySet[Ticket]
) -> QuerySet[Ticket]:
    """The tickets `filters` (values that fit QueueFilterForm, "" or missing for its
    defaults) pick out of `visible`, in queue order. The tabs' queues come here without a form:
    their filters are ours, and three more forms were a tenth of the page's time."""
    status = filters.get("status") or ACTIVE
    statuses = ACTIVE_STATUSES if status == ACTIVE else None if status == ALL else [status]
    # No group chosen: every ticket `visible` holds (the agent's groups; for the security group
    # also the tickets of other groups it was alerted to; for an administrator all). Naming the
    # groups again would only make PostgreSQL count their share twice and misjudge the plan.
    slug = filters.get("group")
    group_ids = [group.pk for group in groups if group.slug == slug] if slug else None
    assigned = filters.get("assigned")
    return selectors.queue_tickets(
        visible,
        group_ids=group_ids,
        statuses=statuses,
        assignee_id=user.pk if assigned == MINE else None,
        unassigned=assigned == UNASSIGNED,
        priority=filters.get("priority") or "",
        breaching_within=BREACHING_WITHIN if filters.get("due") == BREACHING else None,
    )


# The built-in queues: label, filters, whether the tab shows a count.
BUILT_IN: tuple[tuple[Any, dict[str, str], bool], ...] = (
    (_lazy("My groups"), {}, False),
    (_lazy("Mine"), {"assigned": MINE}, True),
    (_lazy("Unassigned"), {"assigned": UNASSIGNED}, True),
    (_lazy("Breaching soon"), {"due": BREACHING}, True),
)


def tabs(
    user: Any,
    groups: list[SupportGroup],
    visible: QuerySet[Ticket],
    *,
    filters: dict[str, str],
    views: list[SavedView],
    chosen: SavedView | None,
) -> list[Tab]:
    """The queue's tabs: the built-in queues, three with counts that stop at 99+ (one query
    for all three), then the agent's saved views."""
    counted = [
        filtered_tickets(query, user, groups, visible)
        for _label, query, with_count in BUILT_IN
        if with_count
    ]
    counts = iter(selectors.bounded_counts(counted))
    result = [
        Tab(
            label=str(label),
            query=urlencode(query),
            count=next(counts) if with_count else None,
            current=chosen is None and filters == query,
        )
        for label, query, with_count in BUILT_IN
    ]
    result.extend(
        Tab(
            label=view.name,
            query=urlencode({"view": view.pk}),
            count=None,
            current=chosen is not None and chosen.pk == view.pk,
        )
        for view in views
    )
    return result


@require_GET
@agent_only
def home(request: HttpRequest) -> HttpResponse:
    return redirect("tickets:agent_queue")


@require_GET
@agent_only
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    groups = list(groups_of(user))
    views = list(selectors.saved_views_of(user)[:MAX_SAVED_VIEWS])
    chosen = next((view for view in views if str(view.pk) == request.GET.get("view")), None)
    data = dict(chosen.filters) if chosen else request.GET
    form = QueueFilterForm(data or None, groups=groups)
    filters = form.saved_filters()
    words = RowWords.current()
    visible = visible_tickets(user)  # built once: it asks whether the user is in security
    page = selectors.queue_page(
        row_tickets(queue_tickets(form, user, groups, visible)),
        number=page_number(request),
        per_page=PER_PAGE,
    )
    return render(
        request,
        "tickets/agent/queue.html",
        {
            "form": form,
            "filter_fields": form.fields_html(),  # the label and <select> of each filter
            "page": page,
            "rows": [row_html(row, words) for row in rows(page.tickets, now=now)],
            "tabs": tabs(user, groups, visible, filters=filters, views=views, chosen=chosen),
            "saved_view": chosen,
            "save_form": SavedViewForm(initial={"name": chosen.name if chosen else ""}),
            "filters": filters,
            "search_form": QueueSearchForm(),
            "has_groups": bool(groups),
            "now": now,
        },
    )
