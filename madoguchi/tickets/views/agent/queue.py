"""The queue: tickets of the agent's groups, urgent first, then the first response due soonest."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from madoguchi.tickets.forms import ACTIVE, ALL, MINE, UNASSIGNED, QueueFilterForm
from madoguchi.tickets.models import ACTIVE_STATUSES, Priority, Ticket
from madoguchi.tickets.permissions import visible_tickets
from madoguchi.tickets.views.agent.access import agent_only, groups_of
from madoguchi.tickets.views.agent.presenting import Markers, markers

PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class Row:
    ticket: Ticket
    markers: Markers


def in_queue_order(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    urgent_first = Case(
        When(priority=Priority.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return tickets.annotate(urgent_first=urgent_first).order_by(
        "urgent_first", F("first_response_due_at").asc(nulls_last=True), "created_at", "pk"
    )


@require_GET
@agent_only
def home(request: HttpRequest) -> HttpResponse:
    return redirect("tickets:agent_queue")


@require_GET
@agent_only
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    groups = list(groups_of(user))
    form = QueueFilterForm(request.GET or None, groups=groups)
    tickets = visible_tickets(user).select_related("group", "assignee", "problem_type")
    status = form.value("status", ACTIVE)
    if status == ACTIVE:
        tickets = tickets.filter(status__in=ACTIVE_STATUSES)
    elif status != ALL:
        tickets = tickets.filter(status=status)
    if group := form.value("group"):
        tickets = tickets.filter(group__slug=group)
    assigned = form.value("assigned")
    if assigned == MINE:
        tickets = tickets.filter(assignee_id=user.pk)
    elif assigned == UNASSIGNED:
        tickets = tickets.filter(assignee__isnull=True)
    page = Paginator(in_queue_order(tickets), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/agent/queue.html",
        {
            "form": form,
            "page": page,
            "rows": [Row(ticket, markers(ticket)) for ticket in page],
            "has_groups": bool(groups),
            "now": timezone.now(),
        },
    )
