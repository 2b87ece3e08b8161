"""Step 7: which group works the ticket, how urgent it is, and by when it needs an answer.

A new ticket goes to its problem type's group; a security problem to the security group at once,
urgent, and a reply that reveals one moves its ticket there too.
"""

from __future__ import annotations

from madoguchi.intake.inbound import InboundMessage
from madoguchi.tickets import events, services
from madoguchi.tickets.models import EventKind, Priority, SupportGroup, Ticket
from madoguchi.tickets.selectors import default_group, security_group


def route(message: InboundMessage) -> InboundMessage:
    triage = message.triage
    ticket_id = message.stored_ticket_id
    if triage is None or ticket_id is None:
        return message
    if message.created:
        group = (security_group() if triage.security else None) or (
            SupportGroup(pk=triage.group_id, slug=triage.group_slug)
            if triage.group_id is not None
            else default_group()
        )
        reason = "security: " + ", ".join(triage.reasons) if triage.security else "problem type"
        ticket = services.route_new_ticket(
            ticket_id=ticket_id,
            group=group,
            priority=triage.priority,
            response_hours=triage.response_hours,
            reason=reason,
        )
    else:
        ticket = Ticket.objects.select_related("group").get(pk=ticket_id)
        if triage.security and not (ticket.group and ticket.group.handles_security):
            services.change_priority(
                ticket=ticket, priority=Priority.URGENT, by=None, reason="security"
            )
            group = security_group()
            if group is not None:
                services.move_to_group(ticket=ticket, group=group, by=None, reason="security")
    reasons = alert_reasons(message)
    if reasons:
        events.record(ticket, EventKind.SECURITY_ALERT, reasons=reasons)
    return message


def alert_reasons(message: InboundMessage) -> list[str]:
    """Why the security group hears of this message: a security problem, or any secret removed
    (a card number too: the customer is exposed, even if the ticket stays where it is)."""
    reasons = list(message.triage.reasons) if message.triage else []
    if message.triage and message.triage.security and not reasons:
        reasons.append(f"problem type: {message.triage.problem_type}")
    reasons += [f"removed: {kind}" for kind in message.redacted_kinds]
    return sorted(set(reasons))
