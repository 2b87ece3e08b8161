"""`{% ticket_links ticket %}` (merges and incident links on the ticket page),
`{% customer_merge_link ticket %}` (the customer panel's way to the customer merge) and
`{% bulk_actions %}` (the queue's bulk form). Other groups' tickets are counted, never named."""

from __future__ import annotations

from typing import Any

from django import template

from madoguchi.tickets.models import ACTIVE_STATUSES, Status, Ticket
from madoguchi.tickets.permissions import visible_tickets
from madoguchi.tickets.views.agent.bulk import BulkForm, bulk_assignees

register = template.Library()


def _user(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("tickets/agent/_links.html", takes_context=True)
def ticket_links(context: Any, ticket: Ticket) -> dict[str, Any]:
    user = _user(context)
    visible = visible_tickets(user)
    reports: list[Ticket] = []
    other_reports = 0
    if ticket.is_incident:
        all_reports = Ticket.objects.filter(incident=ticket)
        reports = list(visible.filter(incident=ticket).order_by("pk"))
        other_reports = all_reports.count() - len(reports)
    merged_in = list(visible.filter(merged_into=ticket).order_by("pk").values("pk", "subject"))
    return {
        "ticket": ticket,
        "csrf_token": context.get("csrf_token"),
        "reports": reports,
        "other_reports": other_reports,
        # The incident itself is answered too, when it still needs work.
        "reply_count": sum(1 for r in reports if r.status in ACTIVE_STATUSES)
        + (1 if ticket.is_active else 0),
        "merged_in": merged_in,
        "merged_into_visible": ticket.merged_into_id is not None
        and visible.filter(pk=ticket.merged_into_id).exists(),
        "incident_visible": ticket.incident_id is not None
        and visible.filter(pk=ticket.incident_id).exists(),
        "open": ticket.status != Status.CLOSED and ticket.merged_into_id is None,
    }


@register.inclusion_tag("tickets/agent/_customer_merge_link.html")
def customer_merge_link(ticket: Ticket) -> dict[str, Any]:
    return {"ticket": ticket}


@register.inclusion_tag("tickets/agent/_bulk_actions.html", takes_context=True)
def bulk_actions(context: Any) -> dict[str, Any]:
    user = _user(context)
    request = context.get("request")
    return {
        "csrf_token": context.get("csrf_token"),
        "form": BulkForm(),
        "agents": list(bulk_assignees(user).values("pk", "email")) if user else [],
        "user": user,
        "next": request.get_full_path() if request else "",
    }
