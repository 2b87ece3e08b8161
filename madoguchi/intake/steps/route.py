"""Step 7: which group works the ticket, how urgent it is, by when it needs an answer, and who
takes it.

A new ticket goes through the admin's routing rules (madoguchi.tickets.routing.rules), then to
the group they name, else the group its channel named (`group_hint`, e.g. a team's mailbox),
else its problem type's group, and to an agent by the group's assignment. A
security problem goes to the security group at once, urgent, whatever the rules say, and a reply
that reveals one moves its ticket there too.
"""

from __future__ import annotations

from django.db.models import Q

from madoguchi.intake.inbound import InboundMessage, Triage
from madoguchi.tickets import events, services
from madoguchi.tickets.models import Assignment, EventKind, Priority, Ticket
from madoguchi.tickets.routing.rules import (
    GroupInfo,
    RoutingTable,
    TicketFacts,
    decide,
    routing_table,
)
from madoguchi.tickets.selectors import default_group, security_group


def route(message: InboundMessage) -> InboundMessage:
    triage = message.triage
    ticket_id = message.stored_ticket_id
    if triage is None or ticket_id is None:
        return message
    if message.created:
        ticket = route_new(message, triage, ticket_id)
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


def facts_of(
    message: InboundMessage, triage: Triage, *, ticket_id: int, table: RoutingTable
) -> TicketFacts:
    # A new ticket has no tags yet.
    return TicketFacts(
        problem_type=triage.problem_type,
        language=message.language,
        channel=message.channel,
        priority=triage.priority,
        tier=known_tier(message, ticket_id=ticket_id) if table.asks_for_tier else "",
        security=triage.security,
    )


def known_tier(message: InboundMessage, *, ticket_id: int) -> str:
    """The customer's tier as the exchange's systems last reported it, on one of the customer's
    earlier tickets: a new ticket's own account context arrives only after intake. Asked only
    when a rule has a tier condition."""
    if message.customer_id is not None:
        same_customer = Q(customer_id=message.customer_id)
    elif message.external_user_id and message.integration:
        same_customer = Q(external_user_id=message.external_user_id)
    else:
        return ""
    tier = (
        Ticket.objects.filter(same_customer, account_context__has_key="tier")
        .exclude(pk=ticket_id)
        .order_by("-created_at", "-pk")
        .values_list("account_context__tier", flat=True)
        .first()
    )
    return tier.strip() if isinstance(tier, str) else ""


def route_new(message: InboundMessage, triage: Triage, ticket_id: int) -> Ticket:
    """Rules, group, priority, tags and assignee of a ticket intake has just stored; the rules
    and groups come from the process's copy, so a ticket with no rule to apply pays no query
    for them."""
    table = routing_table()
    decision = decide(facts_of(message, triage, ticket_id=ticket_id, table=table), table.rules)
    target = (table.security_group() if triage.security else None) or decision.group
    # The channel's group (a mailbox kept for one team) comes after the rules, before the
    # problem type's; a slug that names no group is passed over.
    hinted = table.group_by_slug(message.group_hint) if message.group_hint else None
    if target is None:
        target = hinted
    if target is None and triage.group_id is not None:
        target = table.group(triage.group_id) or GroupInfo(
            triage.group_id, triage.group_slug, Assignment.MANUAL, False
        )
    group = target.as_model() if target else default_group()
    if triage.security:
        reason = "security: " + ", ".join(triage.reasons)
    elif decision.group is not None:
        reason = "rules: " + ", ".join(decision.rule_names)
    elif hinted is not None:
        reason = "channel group"
    else:
        reason = "problem type"
    ticket = Ticket(pk=ticket_id)
    entry = None
    for applied in decision.applied:
        entry = events.record(
            ticket,
            EventKind.RULE_APPLIED,
            after=entry,
            rule=applied.name,
            rule_id=applied.rule_id,
            changes=dict(applied.changes),
            kept=list(applied.kept),
        )
    ticket = services.route_new_ticket(
        ticket_id=ticket_id,
        group=group,
        priority=decision.priority or triage.priority,
        response_hours=triage.response_hours,
        reason=reason,
        problem_type_id=triage.problem_type_id,
    )
    if decision.tags:
        services.set_tags(ticket=ticket, tags=decision.tags, by=None)
    if group is not None:
        services.auto_assign(ticket=ticket, group=group, preferred_id=decision.assignee_id)
    return ticket


def alert_reasons(message: InboundMessage) -> list[str]:
    """Why the security group hears of this message: a security problem, or any secret removed
    (a card number too: the customer is exposed, even if the ticket stays where it is)."""
    reasons = list(message.triage.reasons) if message.triage else []
    if message.triage and message.triage.security and not reasons:
        reasons.append(f"problem type: {message.triage.problem_type}")
    reasons += [f"removed: {kind}" for kind in message.redacted_kinds]
    return sorted(set(reasons))
