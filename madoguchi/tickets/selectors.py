"""Reads of tickets that views, the API, intake and commands share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from madoguchi.tickets import catalogue
from madoguchi.tickets.models import (
    Message,
    Priority,
    ProblemType,
    SupportGroup,
    Ticket,
)

DEFAULT_GROUP = "general"


def active_problem_types() -> QuerySet[ProblemType]:
    return ProblemType.objects.filter(is_active=True).prefetch_related("fields")


def problem_type_by_slug(slug: str) -> ProblemType | None:
    """The problem type with its group and fields (shared within the process: read only)."""
    if not slug:
        return None
    return catalogue.problem_type(slug)


def security_group() -> SupportGroup | None:
    return SupportGroup.objects.filter(handles_security=True).order_by("pk").first()


def default_group() -> SupportGroup | None:
    return (
        SupportGroup.objects.filter(slug=DEFAULT_GROUP).first()
        or SupportGroup.objects.order_by("pk").first()
    )


def expected_hours(problem_type: ProblemType | None, priority: str) -> int:
    hours = (problem_type.response_hours if problem_type else {}) or {}
    fallback = {"urgent": 1, "high": 8, "normal": 24, "low": 72}
    try:
        return int(hours.get(priority, fallback.get(priority, 24)))
    except (TypeError, ValueError):
        return 24


def expected_first_response(problem_type: ProblemType | None, priority: str = "") -> str:
    """How soon the customer can expect a first answer, in words, in the active language."""
    priority = priority or (problem_type.default_priority if problem_type else Priority.NORMAL)
    hours = expected_hours(problem_type, priority)
    if hours <= 1:
        return _("Usually within an hour.")
    if hours <= 8:
        return _("Usually within a few hours.")
    if hours <= 24:
        return _("Usually within a day.")
    return _("Usually within a few hours to a few days.")


def ticket_for_reply_token(token: str) -> Ticket | None:
    return Ticket.objects.filter(reply_token=token).first() if token else None


def ticket_for_message_ids(message_ids: Iterable[str]) -> Ticket | None:
    ids = [value.strip() for value in message_ids if value and value.strip()]
    if not ids:
        return None
    message = (
        Message.objects.filter(external_id__in=ids, author_kind="agent")
        .select_related("ticket")
        .order_by("-id")
        .first()
    )
    return message.ticket if message else None


def recent_identical_message(
    *, email: str, subject: str, body: str, since: datetime, ticket_id: int | None
) -> int | None:
    """The ticket that already holds this exact message from this sender, sent just now."""
    messages = Message.objects.filter(
        ticket__requester_email=email, body=body, created_at__gte=since, is_internal=False
    )
    if ticket_id is not None:
        # A reply to a closed ticket became a follow-up ticket: a second click finds it there.
        messages = messages.filter(
            Q(ticket_id=ticket_id) | Q(ticket__details__follow_up_of=f"#{ticket_id}")
        )
    else:
        messages = messages.filter(ticket__subject=subject[:200])
    return messages.order_by("-id").values_list("ticket_id", flat=True).first()


def ticket_messages(ticket: Ticket, *, include_internal: bool) -> QuerySet[Message]:
    messages = ticket.messages.select_related("author").prefetch_related("attachments")
    return messages if include_internal else messages.filter(is_internal=False)
