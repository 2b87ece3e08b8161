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
    """One query on a plain ticket (are any tickets merged into it?); the visibility checks and
    the reports cost more only on tickets that have merges or are incidents."""
    user = _user(context)
    merged_in = list(
        Ticket.objects.filter(merged_into=ticket).order_by("pk").values("pk", "subject")
    )
    reports: list[Ticket] = []
    other_reports = 0
    named = [row["pk"] for row in merged_in]
    if ticket.merged_into_id is not None:
        named.append(ticket.merged_into_id)
    if ticket.incident_id is not None:
        named.append(ticket.incident_id)
    visible_ids: set[int] = set()
    if named or ticket.is_incident:
        visible = visible_tickets(user)
        visible_ids = set(visible.filter(pk__in=named).values_list("pk", flat=True))
        if ticket.is_incident:
            reports = list(visible.filter(incident=ticket).order_by("pk"))
            other_reports = Ticket.objects.filter(incident=ticket).count() - len(reports)
    return {
        "ticket": ticket,
        "csrf_token": context.get("csrf_token"),
        "reports": reports,
        "other_reports": other_reports,
        # The incident itself is answered too, when it still needs work.
        "reply_count": sum(1 for r in reports if r.status in ACTIVE_STATUSES)
        + (1 if ticket.is_active else 0),
        "merged_in": [row for row in merged_in if row["pk"] in visible_ids],
        "other_merged_in": len(merged_in) - len([r for r in merged_in if r["pk"] in visible_ids]),
        "merged_into_visible": ticket.merged_into_id in visible_ids,
        "incident_visible": ticket.incident_id in visible_ids,
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
