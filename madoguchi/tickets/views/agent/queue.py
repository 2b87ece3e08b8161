"""The queues: the agent's groups, their own tickets, the unassigned ones, those breaching
their SLA soon, and their saved views; urgent first, then the first response due soonest.

A page is read with one query of per-page + 1 rows and never counted in full: the tabs show
counts that stop at 99+, so a queue of a million tickets costs what a queue of fifty does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
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
from madoguchi.tickets.views.agent.access import agent_only, groups_of
from madoguchi.tickets.views.agent.presenting import Markers, markers

PER_PAGE = 50
# Nobody pages through ten thousand tickets; a deeper page number falls back to the first.
MAX_PAGE = 200
# "Breaching soon": the next SLA target is missed already or falls due within this time.
BREACHING_WITHIN = timedelta(hours=2)
MAX_SAVED_VIEWS = 30


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the queue, with what the template would otherwise work out per row (labels,
    the address, the times): 50 rows of template lookups are most of the page's time."""

    ticket: Ticket
    markers: Markers
    url: str
    status_label: str
    priority_label: str
    age: str
    overdue: bool


def rows(tickets: list[Ticket], *, now: datetime) -> list[Row]:
    statuses = {value: str(label) for value, label in Status.choices}
    priorities = {value: str(label) for value, label in Priority.choices}
    # One reverse for the page: the address differs only by the ticket's number.
    pattern = reverse("tickets:agent_ticket", kwargs={"ticket_id": 0}).replace("/0/", "/{}/")
    return [
        Row(
            ticket=ticket,
            markers=markers(ticket),
            url=pattern.format(ticket.pk),
            status_label=statuses.get(ticket.status, ticket.status),
            priority_label=priorities.get(ticket.priority, ticket.priority),
            age=timesince(ticket.created_at, now),
            overdue=bool(
                ticket.first_response_due_at
                and not ticket.first_response_at
                and ticket.first_response_due_at < now
            ),
        )
        for ticket in tickets
    ]


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
    status = form.value("status", ACTIVE)
    statuses = ACTIVE_STATUSES if status == ACTIVE else None if status == ALL else [status]
    # No group chosen: every ticket `visible` holds (the agent's groups; for the security group
    # also the tickets of other groups it was alerted to; for an administrator all). Naming the
    # groups again would only make PostgreSQL count their share twice and misjudge the plan.
    slug = form.value("group")
    group_ids = [group.pk for group in groups if group.slug == slug] if slug else None
    assigned = form.value("assigned")
    return selectors.queue_tickets(
        visible,
        group_ids=group_ids,
        statuses=statuses,
        assignee_id=user.pk if assigned == MINE else None,
        unassigned=assigned == UNASSIGNED,
        priority=form.value("priority"),
        breaching_within=BREACHING_WITHIN if form.value("due") == BREACHING else None,
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
        queue_tickets(QueueFilterForm(query, groups=groups), user, groups, visible)
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
    visible = visible_tickets(user)  # built once: it asks whether the user is in security
    page = selectors.queue_page(
        queue_tickets(form, user, groups, visible), number=page_number(request), per_page=PER_PAGE
    )
    return render(
        request,
        "tickets/agent/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows(page.tickets, now=now),
            "tabs": tabs(user, groups, visible, filters=filters, views=views, chosen=chosen),
            "saved_view": chosen,
            "save_form": SavedViewForm(initial={"name": chosen.name if chosen else ""}),
            "filters": filters,
            "search_form": QueueSearchForm(),
            "has_groups": bool(groups),
            "now": now,
        },
    )
