"""Step 8: tell people, after the ticket is safely stored: the security group at once, the
customer that their request arrived (or that their email needs confirming)."""

from __future__ import annotations

from django.db import transaction

from madoguchi.intake.inbound import InboundMessage
from madoguchi.intake.steps.route import alert_reasons
from madoguchi.tickets.tasks import (
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
        transaction.on_commit(
            lambda: send_security_alert.enqueue(ticket_id=ticket_id, reasons=reasons)
        )
    if message.created:
        # Intake opened the ticket confirmed exactly when the channel vouched for the email.
        confirmed = message.email_verified
        task = send_acknowledgement if confirmed else send_email_confirmation
        transaction.on_commit(lambda: task.enqueue(ticket_id=ticket_id))
    return message
