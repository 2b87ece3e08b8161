"""Background work of tickets: the staff alerts of `notifications`, sent after the ticket is
stored, the outbound copies (replies and customer notices, `outbound`) and the SLA check that
the worker runs every minute."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

from madoguchi.accounts.selectors import anti_phishing_codes_for
from madoguchi.tickets import notifications
from madoguchi.tickets.models import Ticket


def enqueue_on_commit(task: Task[Any, Any], **kwargs: Any) -> None:
    """Queue `task` to run only if the current transaction commits.

    The database backend (the embedded default) keeps its queue in this very database, so the
    task's row is written inside the transaction: it commits or rolls back with the ticket, and
    costs no second write. Any other backend (immediate in tests, Redis-backed at scale) gets
    the task once the transaction has committed.
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(**kwargs))


def _send(mail: notifications.Mail) -> int:
    """One mail per staff member, each with their own anti-phishing code at the top: a forged
    alert ("urgent: sign in here") is exactly what an attacker would send an agent."""
    codes = anti_phishing_codes_for(mail.to)
    sent = 0
    for address in mail.to:
        code = codes.get(address.casefold(), "")
        with translation.override("ja"):
            line = _("Your anti-phishing code: %(code)s") % {"code": code} if code else ""
        message = EmailMessage(
            subject=mail.subject,
            body=f"{line}\n\n{mail.body}" if line else mail.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers={"Auto-Submitted": "auto-generated"},
        )
        sent += message.send()
    return sent


def _ticket(ticket_id: int) -> Ticket | None:
    return Ticket.objects.select_related("problem_type", "group").filter(pk=ticket_id).first()


@task(queue_name="mail")
def send_security_alert(*, ticket_id: int, reasons: list[str]) -> int:
    ticket = _ticket(ticket_id)
    return _send(notifications.security_alert(ticket, reasons)) if ticket else 0


@task(queue_name="mail")
def send_sla_warning(*, ticket_id: int, target: str) -> int:
    ticket = _ticket(ticket_id)
    return _send(notifications.sla_alert(ticket, [target], breached=False)) if ticket else 0


@task(queue_name="mail")
def send_sla_breach(*, ticket_id: int, targets: list[str]) -> int:
    ticket = _ticket(ticket_id)
    return _send(notifications.sla_alert(ticket, targets, breached=True)) if ticket else 0


@task()
def check_sla() -> dict[str, int]:
    """Warn and escalate (madoguchi.tickets.services.sla.check_sla); returns the counts."""
    # The services import this module to queue their mails.
    from madoguchi.tickets.services.sla import check_sla as check

    outcome = check()
    return {
        "warned": len(outcome.warned),
        "breached": len(outcome.breached),
        "escalated": len(outcome.escalated),
    }


@task(queue_name="mail")
def send_delivery(*, delivery_id: int) -> str:
    """Send one copy of a reply or notice (madoguchi.tickets.outbound); returns its status."""
    from madoguchi.tickets import outbound

    delivery = outbound.send(delivery_id)
    return delivery.status if delivery else "skipped"


@task(queue_name="mail")
def retry_deliveries() -> int:
    """The worker's sweep: try again every copy whose next attempt is due; returns how many."""
    from madoguchi.tickets import outbound

    due = outbound.due_for_retry()
    for delivery_id in due:
        outbound.send(delivery_id)
    return len(due)
