"""Step 7: which group works the ticket, how urgent it is, and by when it needs an answer.

A new ticket goes to its problem type's group; a security problem to the security group at once,
urgent, and a reply that reveals one moves its ticket there too.
"""

from __future__ import annotations

from django.db import transaction

from madoguchi.intake.inbound import InboundMessage
from madoguchi.tickets import events, services
from madoguchi.tickets.models import EventKind, Priority, Ticket
from madoguchi.tickets.selectors import default_group, problem_type_by_slug, security_group


def route(message: InboundMessage) -> InboundMessage:
    triage = message.triage
    if triage is None or message.stored_ticket_id is None:
        return message
    ticket = Ticket.objects.select_related("group").get(pk=message.stored_ticket_id)
    problem_type = problem_type_by_slug(triage.problem_type)
    with transaction.atomic():
        if message.created:
            group = (security_group() if triage.security else None) or (
                problem_type.group if problem_type and problem_type.group else default_group()
            )
            hours = problem_type.response_hours if problem_type else {}
            reason = "security: " + ", ".join(triage.reasons) if triage.security else "problem type"
            services.route_ticket(
                ticket=ticket,
                group=group,
                priority=triage.priority,
                response_hours=hours,
                reason=reason,
            )
        elif triage.security and not (ticket.group and ticket.group.handles_security):
            group = security_group()
            services.change_priority(
                ticket=ticket, priority=Priority.URGENT, by=None, reason="security"
            )
            if group is not None:
                services.move_to_group(ticket=ticket, group=group, by=None, reason="security")
        if triage.security:
            events.record(ticket, EventKind.SECURITY_ALERT, reasons=list(triage.reasons))
    return message
