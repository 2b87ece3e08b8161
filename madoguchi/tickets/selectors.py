"""Reads of tickets that views, the API, intake and commands share."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from madoguchi.accounts.permissions import is_admin
from madoguchi.search.query import search
from madoguchi.tickets import catalogue
from madoguchi.tickets.models import (
    ACTIVE_STATUSES,
    Delivery,
    Message,
    Priority,
    ProblemType,
    SavedView,
    SupportGroup,
    Ticket,
    expressions,
)
from madoguchi.tickets.permissions import visible_tickets
from madoguchi.tickets.search_documents import TICKET
from madoguchi.tickets.sla.queries import CLOCK_RUNNING_STATUSES, breaching_soon

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
    delivery = Delivery.objects.filter(rfc_message_id__in=ids).select_related("ticket").first()
    if delivery is not None:
        return delivery.ticket
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


def reply_deliveries() -> Prefetch:
    """The copies of each message (outbound.Delivery), for the agent page's delivery states:
    one query for the whole conversation."""
    return Prefetch("deliveries", queryset=Delivery.objects.order_by("audience", "id"))


# ---- queues -------------------------------------------------------------------------------
# The queue pages read a page at a time: LIMIT per_page + 1 tells whether a next page exists,
# and counts stop at COUNT_UP_TO, so no page ever counts a million rows.

COUNT_UP_TO = 100
EARLIER_TICKETS = 10


@dataclass(frozen=True, slots=True)
class QueuePage:
    tickets: list[Ticket]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def in_queue_order(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Urgent first, then the first response due soonest, then the oldest."""
    # The keys of the partial index `ticket_worklist`: change both together.
    return tickets.annotate(urgent_first=expressions.urgent_first()).order_by(
        "urgent_first", expressions.due_for_queue(), "created_at", "pk"
    )


def queue_tickets(
    visible: QuerySet[Ticket],
    *,
    group_ids: Collection[int] | None,
    statuses: Collection[str] | None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    priority: str = "",
    breaching_within: timedelta | None = None,
    now: datetime | None = None,
) -> QuerySet[Ticket]:
    """The tickets of one queue out of `visible` (the user's `visible_tickets`), in queue
    order, ready for `queue_page`.

    `group_ids` narrows to those groups (None: all of `visible`). `statuses` None means every
    status; a list with finished tickets is shown newest first, active ones in queue order.
    """
    tickets = visible.select_related("group", "assignee", "problem_type")
    if group_ids is not None:
        tickets = tickets.filter(group_id__in=list(group_ids))
    # "Breaching soon" keeps the statuses whose clock runs itself; filtering a wider list as
    # well would only make PostgreSQL multiply the two and misjudge the queue 15 times too small.
    running_only = breaching_within is not None and (
        statuses is None or set(statuses) >= set(CLOCK_RUNNING_STATUSES)
    )
    if statuses is not None and not running_only:
        tickets = tickets.filter(status__in=list(statuses))
    if assignee_id is not None:
        tickets = tickets.filter(assignee_id=assignee_id)
    elif unassigned:
        tickets = tickets.filter(assignee__isnull=True)
    if priority:
        tickets = tickets.filter(priority=priority)
    if breaching_within is not None:
        return breaching_soon(tickets, now=now or timezone.now(), within=breaching_within)
    if statuses is None or not set(statuses) <= ACTIVE_STATUSES:
        # Finished tickets have no targets left to order by: the newest first, which the
        # primary key's index gives without sorting hundreds of thousands of rows.
        return tickets.order_by("-pk")
    return in_queue_order(tickets)


def queue_page(tickets: QuerySet[Ticket], *, number: int, per_page: int) -> QueuePage:
    """Page `number` (from 1) of `tickets`, read with one query and no count."""
    number = max(1, number)
    start = (number - 1) * per_page
    rows = list(tickets[start : start + per_page + 1])
    return QueuePage(tickets=rows[:per_page], number=number, has_next=len(rows) > per_page)


def bounded_counts(querysets: Sequence[QuerySet[Ticket]], *, up_to: int = COUNT_UP_TO) -> list[int]:
    """How many tickets each queryset holds, counting no further than `up_to` (shown as
    "99+"), all in one query."""
    if not querysets:
        return []
    parts: list[str] = []
    params: list[Any] = []
    for number, tickets in enumerate(querysets):
        sql, values = tickets.order_by().values("pk")[:up_to].query.sql_with_params()
        # Django compiled `sql` with placeholders for every value: nothing of the user's is in it.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS bounded_{number})")  # noqa: S608
        params.extend(values)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return [int(count) for count in row or ()]


def earlier_tickets(user: Any, ticket: Ticket, *, limit: int = EARLIER_TICKETS) -> list[Ticket]:
    """The same customer's other tickets that `user` may open, newest first: by their account
    when they have one, and by the email they wrote from."""
    same_person = Q(requester_email=ticket.requester_email)
    if ticket.customer_id is not None:
        same_person |= Q(customer_id=ticket.customer_id)
    return list(
        visible_tickets(user)
        .filter(same_person)
        .exclude(pk=ticket.pk)
        .select_related("group")
        .order_by("-created_at", "-pk")[:limit]
    )


def saved_views_of(user: Any) -> QuerySet[SavedView]:
    return SavedView.objects.filter(owner=user).order_by("position", "pk")


# ---- ticket search ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TicketHit:
    ticket: Ticket
    snippet: SafeString  # escaped by the search service, matched words in <mark>


def search_tickets(
    user: Any, query: str, *, locale: str, groups: Collection[SupportGroup], limit: int = 50
) -> list[TicketHit]:
    """Tickets `user` may open that answer `query`, best first; "#123" or "123" also finds
    ticket 123. Raises the search service's QueryError for a query with nothing to search.

    An agent's groups are searched one by one (the index's category is the group), so another
    group's many tickets cannot crowd theirs out of the best matches; administrators and the
    security group (which also sees tickets it was alerted to) search everything. Every hit
    passes `visible_tickets` all the same: the index may be a moment behind a move.
    """
    scopes: list[str | None] = [group.slug for group in groups]
    if is_admin(user) or any(group.handles_security for group in groups):
        scopes = [None]
    found: dict[int, tuple[float, str]] = {}
    number = query.strip().removeprefix("#")
    if number.isdigit() and len(number) < 12:
        found[int(number)] = (float("inf"), "")
    for scope in scopes:
        # Not logged: agents' searches hold customers' names and addresses, and the log is
        # what Help Center editors read.
        results = search(
            query, locale=locale, limit=limit, category=scope, types=(TICKET,), log=False
        )
        for hit in results.results:
            if hit.id not in found or found[hit.id][0] < hit.score:
                found[hit.id] = (hit.score, hit.snippet)
    best = sorted(found, key=lambda pk: -found[pk][0])[:limit]
    tickets = (
        visible_tickets(user).select_related("group", "assignee", "problem_type").in_bulk(best)
    )
    return [
        TicketHit(ticket=tickets[pk], snippet=mark_safe(found[pk][1]))  # noqa: S308 - escaped by search.snippets
        for pk in best
        if pk in tickets
    ]
