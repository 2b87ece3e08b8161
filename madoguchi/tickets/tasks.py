"""Background work of tickets: the mails of `notifications`, sent after the ticket is stored."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import task

from madoguchi.tickets import notifications
from madoguchi.tickets.models import Ticket


def _send(mail: notifications.Mail) -> int:
    if not mail.to:
        return 0
    message = EmailMessage(
        subject=mail.subject,
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=mail.to,
        headers={"Auto-Submitted": "auto-generated"},
    )
    return message.send()


def _ticket(ticket_id: int) -> Ticket | None:
    return Ticket.objects.select_related("problem_type", "group").filter(pk=ticket_id).first()


@task(queue_name="mail")
def send_acknowledgement(*, ticket_id: int) -> int:
    ticket = _ticket(ticket_id)
    return _send(notifications.acknowledgement(ticket)) if ticket else 0


@task(queue_name="mail")
def send_email_confirmation(*, ticket_id: int) -> int:
    ticket = _ticket(ticket_id)
    return _send(notifications.email_confirmation(ticket)) if ticket else 0


@task(queue_name="mail")
def send_security_alert(*, ticket_id: int, reasons: list[str]) -> int:
    ticket = _ticket(ticket_id)
    return _send(notifications.security_alert(ticket, reasons)) if ticket else 0
