"""Step 4: does the message continue a ticket? Only when the sender is that ticket's customer.

A reply names its ticket through the channel (the customer's own page or the API), a per-ticket
reply token, or mail headers matched against the ids of messages madoguchi sent. A sender who is
not the ticket's customer is held for an agent; a reply to a duplicate that was merged goes on to
the ticket it was merged into, when that ticket is the sender's too; a closed ticket gets a new
follow-up ticket.
"""

from __future__ import annotations

from madoguchi.intake.errors import Held
from madoguchi.intake.inbound import InboundMessage
from madoguchi.tickets.details import FOLLOW_UP_OF
from madoguchi.tickets.models import Status, Ticket
from madoguchi.tickets.selectors import ticket_for_message_ids, ticket_for_reply_token


def _belongs(message: InboundMessage, ticket: Ticket) -> bool:
    if message.hold_released:
        return True
    if message.integration:
        return True  # the integration's token was checked against the ticket by the API
    if message.customer_id is not None:
        return ticket.customer_id == message.customer_id
    return bool(message.sender_email) and (
        message.sender_email.casefold() == ticket.requester_email.casefold()
    )


def thread(message: InboundMessage) -> InboundMessage:
    ticket: Ticket | None = None
    if message.ticket_id is not None:
        ticket = Ticket.objects.filter(pk=message.ticket_id).first()
    if ticket is None and message.reply_token:
        ticket = ticket_for_reply_token(message.reply_token)
    if ticket is None and (message.in_reply_to or message.references):
        ticket = ticket_for_message_ids([message.in_reply_to, *message.references])
    if ticket is None:
        return message.with_changes(ticket_id=None)
    if not _belongs(message, ticket):
        raise Held("sender is not the ticket's customer", ticket_id=ticket.pk)
    if ticket.merged_into_id is not None:
        # Merges never chain (tickets.services.merging refuses it), so one step is enough. A
        # duplicate merged into another customer's ticket keeps its own follow-up path.
        target = Ticket.objects.filter(pk=ticket.merged_into_id).first()
        if target is not None and _belongs(message, target):
            ticket = target
    if ticket.status == Status.CLOSED:
        # A closed ticket stays closed; the customer's new words open a follow-up.
        follow_up = f"#{ticket.pk}"
        fields = {**message.fields, FOLLOW_UP_OF: follow_up}
        return message.with_changes(ticket_id=None, fields=fields)
    return message.with_changes(ticket_id=ticket.pk)
