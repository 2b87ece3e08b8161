"""Incidents: one ticket stands for a wider problem (a delayed chain, an outage) and the
customers' reports of it link to it, so one answer reaches every report at once.

Each link and unlink is written in both histories. `reply_to_reports` sends the answer through
`add_agent_reply`, one ticket at a time: each report's history has its own reply, exactly as if
the agent had answered it alone, and one ticket that refuses does not hold back the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from madoguchi.tickets import events
from madoguchi.tickets.errors import TicketError
from madoguchi.tickets.models import ACTIVE_STATUSES, EventKind, Status, Ticket
from madoguchi.tickets.permissions import visible_tickets
from madoguchi.tickets.services.conversation import add_agent_reply, checked_body


class IncidentErrorCode(StrEnum):
    CLOSED = "closed"
    MERGED = "merged"
    NOT_AN_INCIDENT = "not_an_incident"
    IS_INCIDENT = "is_incident"
    IS_REPORT = "is_report"
    SAME_TICKET = "same_ticket"
    NOT_LINKED = "not_linked"


INCIDENT_MESSAGES = {
    IncidentErrorCode.CLOSED: gettext_lazy("A closed ticket cannot be linked or made an incident."),
    IncidentErrorCode.MERGED: gettext_lazy("This ticket was merged into another ticket."),
    IncidentErrorCode.NOT_AN_INCIDENT: gettext_lazy("That ticket is not an incident."),
    IncidentErrorCode.IS_INCIDENT: gettext_lazy(
        "This ticket is an incident itself; an incident cannot be a report of another."
    ),
    IncidentErrorCode.IS_REPORT: gettext_lazy(
        "This ticket is a report of an incident; unlink it before making it an incident."
    ),
    IncidentErrorCode.SAME_TICKET: gettext_lazy("A ticket cannot be a report of itself."),
    IncidentErrorCode.NOT_LINKED: gettext_lazy("This ticket is not linked to an incident."),
}


class IncidentError(Exception):
    """A refused incident change; `message` is in the active language."""

    def __init__(self, code: IncidentErrorCode) -> None:
        self.code = code
        super().__init__(code.value)

    @property
    def message(self) -> str:
        return str(INCIDENT_MESSAGES[self.code])


def _locked(*tickets: Ticket) -> list[Ticket]:
    # In id order, so two agents linking the same pair cannot deadlock.
    rows = {
        ticket.pk: ticket
        for ticket in Ticket.objects.select_for_update()
        .filter(pk__in=[t.pk for t in tickets])
        .order_by("pk")
    }
    return [rows[ticket.pk] for ticket in tickets]


def _usable(ticket: Ticket) -> None:
    if ticket.merged_into_id is not None:
        raise IncidentError(IncidentErrorCode.MERGED)
    if ticket.status == Status.CLOSED:
        raise IncidentError(IncidentErrorCode.CLOSED)


def make_incident(*, ticket: Ticket, by: Any) -> Ticket:
    """Mark `ticket` as an incident, which reports can then be linked to."""
    with transaction.atomic():
        (ticket,) = _locked(ticket)
        if ticket.is_incident:
            return ticket
        _usable(ticket)
        if ticket.incident_id is not None:
            raise IncidentError(IncidentErrorCode.IS_REPORT)
        ticket.is_incident = True
        events.record(ticket, EventKind.MADE_INCIDENT, actor=by)
        ticket.save(update_fields=["is_incident", "updated_at"])
    return ticket


def link_to_incident(*, ticket: Ticket, incident: Ticket, by: Any) -> Ticket:
    """Make `ticket` a report of `incident`; both histories say so."""
    with transaction.atomic():
        ticket, incident = _locked(ticket, incident)
        if ticket.pk == incident.pk:
            raise IncidentError(IncidentErrorCode.SAME_TICKET)
        if not incident.is_incident:
            raise IncidentError(IncidentErrorCode.NOT_AN_INCIDENT)
        if ticket.is_incident:
            raise IncidentError(IncidentErrorCode.IS_INCIDENT)
        _usable(ticket)
        _usable(incident)
        if ticket.incident_id == incident.pk:
            return ticket
        previous = ticket.incident_id
        if previous is not None:
            _unlink(ticket, previous, by=by)
        events.record(ticket, EventKind.INCIDENT_LINKED, actor=by, incident=incident.pk)
        events.record(incident, EventKind.INCIDENT_LINKED, actor=by, report=ticket.pk)
        ticket.incident = incident
        ticket.save(update_fields=["incident", "updated_at"])
        incident.save(update_fields=["updated_at"])
    return ticket


def _unlink(ticket: Ticket, incident_id: int, *, by: Any) -> None:
    incident = Ticket.objects.select_for_update().get(pk=incident_id)
    events.record(ticket, EventKind.INCIDENT_UNLINKED, actor=by, incident=incident.pk)
    events.record(incident, EventKind.INCIDENT_UNLINKED, actor=by, report=ticket.pk)
    incident.save(update_fields=["updated_at"])


def unlink_from_incident(*, ticket: Ticket, by: Any) -> Ticket:
    """`ticket` is no longer a report of its incident (closed tickets too: the link is
    bookkeeping, not the conversation)."""
    with transaction.atomic():
        (ticket,) = _locked(ticket)
        if ticket.incident_id is None:
            raise IncidentError(IncidentErrorCode.NOT_LINKED)
        _unlink(ticket, ticket.incident_id, by=by)
        ticket.incident = None
        ticket.save(update_fields=["incident", "updated_at"])
    return ticket


@dataclass
class IncidentReply:
    """Which tickets got the answer, and which were left out and why."""

    answered: list[int] = field(default_factory=list)
    # Reports the agent does not work on (another group's): never written to.
    not_yours: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def active_reports(incident: Ticket) -> list[Ticket]:
    return list(Ticket.objects.filter(incident=incident, status__in=ACTIVE_STATUSES).order_by("pk"))


def reply_to_reports(
    *, incident: Ticket, body: str, by: Any, solve: bool = False, include_incident: bool = True
) -> IncidentReply:
    """Send one answer to the incident and each of its active reports, each through
    `add_agent_reply` (its own transaction and history entries); `solve` marks each solved,
    otherwise each waits for its customer. Reports `by` cannot work on are left out."""
    body = checked_body(body)
    incident = Ticket.objects.get(pk=incident.pk)  # as it is now, not as the caller read it
    if not incident.is_incident:
        raise IncidentError(IncidentErrorCode.NOT_AN_INCIDENT)
    status = Status.SOLVED if solve else Status.PENDING
    reports = active_reports(incident)
    allowed = set(
        visible_tickets(by).filter(pk__in=[r.pk for r in reports]).values_list("pk", flat=True)
    )
    targets = ([incident] if include_incident and incident.is_active else []) + [
        report for report in reports if report.pk in allowed
    ]
    outcome = IncidentReply(not_yours=[r.pk for r in reports if r.pk not in allowed])
    for ticket in targets:
        try:
            add_agent_reply(ticket=ticket, body=body, by=by, status=status)
        except TicketError as error:
            outcome.refused.append((ticket.pk, error.message))
        else:
            outcome.answered.append(ticket.pk)
    return outcome
