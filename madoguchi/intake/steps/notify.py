"""Step 8: tell people, once the ticket is safely stored: the security group at once, the
customer that their request arrived (or that their email needs confirming)."""

from __future__ import annotations

from madoguchi.intake.inbound import InboundMessage
from madoguchi.intake.steps.route import alert_reasons
from madoguchi.tickets.tasks import (
    enqueue_on_commit,
    send_acknowledgement,
    send_email_confirmation,
    send_security_alert,
)


def notify(message: InboundMessage) -> InboundMessage:
    ticket_id = message.stored_ticket_id
    if ticket_id is None:
        return message
    reasons = alert_reasons(message)
    if reasons:
        enqueue_on_commit(send_security_alert, ticket_id=ticket_id, reasons=reasons)
    if message.created:
        # Intake opened the ticket confirmed exactly when the channel vouched for the email.
        task = send_acknowledgement if message.email_verified else send_email_confirmation
        enqueue_on_commit(task, ticket_id=ticket_id)
    return message
