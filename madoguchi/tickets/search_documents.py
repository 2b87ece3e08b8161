"""Tickets in the search service, for agents only: what a ticket's document holds, the source
for `madoguchi reindex`, and the background task that indexes a ticket after each change.

A ticket document holds the subject, every message (internal notes too: only agents search
tickets), the requester's email, name and user ID, and the values of the form's fields (TxIDs,
addresses). Its category is the ticket's group, so a search can ask for one group's tickets;
who may open a hit is still decided by `permissions.visible_tickets`. The document type is
private to the search service: public searches, suggestions and autocomplete never see it,
and its words never reach the shared did-you-mean vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from madoguchi.search.documents import Document, DocumentSource
from madoguchi.search.services import index_documents, remove_document
from madoguchi.tickets.models import Message, Ticket

TICKET = "ticket"
LOCALES = ("ja", "en")
MAX_BODY_CHARS = 200_000
REBUILD_CHUNK = 500


def _field_values(details: Any) -> Iterator[str]:
    if isinstance(details, dict):
        for value in details.values():
            yield from _field_values(value)
    elif isinstance(details, list | tuple):
        for value in details:
            yield from _field_values(value)
    elif details not in (None, ""):
        yield str(details)


def ticket_document(ticket: Ticket, bodies: Iterable[str], tags: Iterable[str] = ()) -> Document:
    """`ticket` as the search service indexes it; `bodies` are its messages' texts."""
    people = [ticket.requester_email, ticket.requester_name, ticket.external_user_id]
    parts = [*(p for p in people if p), *_field_values(ticket.details), *bodies]
    with translation.override("ja"):
        url = reverse("tickets:agent_ticket", kwargs={"ticket_id": ticket.pk})
    group = ticket.group
    return Document(
        type=TICKET,
        id=ticket.pk,
        locale=ticket.language if ticket.language in LOCALES else "ja",
        slug=str(ticket.pk),
        title=ticket.subject,
        body="\n".join(parts)[:MAX_BODY_CHARS],
        url=url,
        category=group.slug if group else "",
        category_name=group.name_en if group else "",
        tags=tuple(tags),
    )


def _documents(tickets: Iterable[Ticket]) -> list[Document]:
    tickets = list(tickets)
    bodies: dict[int, list[str]] = {ticket.pk: [] for ticket in tickets}
    for ticket_id, body in (
        Message.objects.filter(ticket_id__in=bodies)
        .order_by("ticket_id", "created_at", "pk")
        .values_list("ticket_id", "body")
    ):
        bodies[ticket_id].append(body)
    return [
        ticket_document(ticket, bodies[ticket.pk], (tag.name for tag in ticket.tags.all()))
        for ticket in tickets
    ]


def _with_relations(tickets: Any) -> Any:
    return tickets.select_related("group").prefetch_related("tags")


def all_documents() -> Iterator[Document]:
    """Every ticket, read in chunks by primary key (a million tickets never sit in memory)."""
    last = 0
    while True:
        chunk = list(
            _with_relations(Ticket.objects.filter(pk__gt=last)).order_by("pk")[:REBUILD_CHUNK]
        )
        if not chunk:
            return
        yield from _documents(chunk)
        last = chunk[-1].pk


TICKET_SOURCE = DocumentSource(
    type=TICKET, count=lambda: Ticket.objects.count(), documents=all_documents, private=True
)


@task(queue_name="search")
def index_ticket(*, ticket_id: int) -> int:
    """Index the ticket as it is now; a ticket that is gone leaves the index."""
    ticket = _with_relations(Ticket.objects.filter(pk=ticket_id)).first()
    if ticket is None:
        remove_document(type=TICKET, id=ticket_id)
        return 0
    return index_documents(_documents([ticket]))


class _IndexAfterCommit:
    """One pending indexing of one ticket; equal to another for the same ticket, so a
    transaction that changes a ticket ten times indexes it once."""

    def __init__(self, ticket_id: int) -> None:
        self.ticket_id = ticket_id
        self.done = False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _IndexAfterCommit) and other.ticket_id == self.ticket_id

    def __hash__(self) -> int:
        return hash(self.ticket_id)

    def __call__(self) -> None:
        self.done = True
        index_ticket.enqueue(ticket_id=self.ticket_id)


def index_after_commit(ticket_id: int) -> None:
    """Queue the ticket's indexing for when the current transaction commits (nothing if it
    rolls back). The history of every change is written through `events.record`, which calls
    this, so no service has to remember the index."""
    callback = _IndexAfterCommit(ticket_id)
    connection = transaction.get_connection()
    # Django drops the callbacks of a rolled-back savepoint from this list, so a callback
    # found here still runs (`done` only matters where the list outlives a commit: in tests).
    if any(pending == callback and not pending.done for _, pending, _ in connection.run_on_commit):
        return
    # robust: the change is committed; a queue that cannot take the task is logged by Django
    # and must not turn the agent's saved reply into an error page (`reindex` catches up).
    transaction.on_commit(callback, robust=True)
