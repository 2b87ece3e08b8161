"""Step 8: tell people, once the ticket is safely stored: the security group at once, the
customer that their request arrived (or that their email needs confirming).

The customer's notice leaves through the outbound pipeline (tickets.outbound), like an agent's
reply: with the ticket's reply address, their anti-phishing code, retries, and a trace on the
ticket when it cannot be delivered. The staff alert stays a plain mail to the desk.
"""

from __future__ import annotations

from madoguchi.intake.inbound import InboundMessage
from madoguchi.intake.steps.route import alert_reasons
from madoguchi.tickets import outbound
from madoguchi.tickets.models import DeliveryKind, Ticket
from madoguchi.tickets.tasks import enqueue_on_commit, send_security_alert


def notify(message: InboundMessage) -> InboundMessage:
    ticket_id = message.stored_ticket_id
    if ticket_id is None:
        return message
    reasons = alert_reasons(message)
    if reasons:
        enqueue_on_commit(send_security_alert, ticket_id=ticket_id, reasons=reasons)
    if message.created:
        # Intake opened the ticket confirmed exactly when the channel vouched for the email.
        kind = (
            DeliveryKind.ACKNOWLEDGEMENT
            if message.email_verified
            else DeliveryKind.EMAIL_CONFIRMATION
        )
        # A notice needs the ticket's address book only; the whole row is dozens of columns
        # (JSON among them) that every new ticket would pay to read back.
        ticket = Ticket.objects.only("requester_email", "cc_emails").filter(pk=ticket_id).first()
        if ticket is not None:
            outbound.queue_notice(ticket, kind=kind)
    return message
