"""Incidents: reports linked to one ticket, answered all at once, each in its own history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from madoguchi.accounts.services import create_user
from madoguchi.tickets.events import verify_history
from madoguchi.tickets.evidence import export_evidence, verify_archive
from madoguchi.tickets.models import AuthorKind, EventKind, Message, Status, Ticket
from madoguchi.tickets.services import change_status
from madoguchi.tickets.services.incidents import (
    IncidentError,
    IncidentErrorCode,
    link_to_incident,
    make_incident,
    reply_to_reports,
    unlink_from_incident,
)

pytestmark = pytest.mark.django_db

MakeTicket = Callable[..., Ticket]
Login = Callable[[Any], Client]
ANSWER = "BTCネットワークの遅延により入金が遅れています。順次反映されます。"


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"tickets:{name}", kwargs={"ticket_id": ticket.pk})


@pytest.fixture
def reports(make_ticket: MakeTicket) -> list[Ticket]:
    """Three customers write about the same delayed BTC deposits."""
    made = []
    for number in range(3):
        person = create_user(email=f"c{number}@example.jp", password="a-long-customer-password")
        made.append(make_ticket(sender_email=person.email, customer_id=person.pk))
    return made


def test_reports_link_to_an_incident_and_both_histories_say_so(
    reports: list[Ticket], payments_agent: Any
) -> None:
    incident, report, _ = reports
    make_incident(ticket=incident, by=payments_agent)
    link_to_incident(ticket=report, incident=incident, by=payments_agent)

    report.refresh_from_db()
    assert report.incident_id == incident.pk
    assert incident.events.filter(kind=EventKind.MADE_INCIDENT).exists()
    assert report.events.get(kind=EventKind.INCIDENT_LINKED).data["incident"] == incident.pk
    assert incident.events.get(kind=EventKind.INCIDENT_LINKED).data["report"] == report.pk

    unlink_from_incident(ticket=report, by=payments_agent)
    report.refresh_from_db()
    assert report.incident_id is None
    assert report.events.filter(kind=EventKind.INCIDENT_UNLINKED).exists()
    assert incident.events.filter(kind=EventKind.INCIDENT_UNLINKED).exists()
    assert verify_history(report).ok and verify_history(incident).ok


def test_links_that_make_no_sense_are_refused(reports: list[Ticket], payments_agent: Any) -> None:
    incident, report, other = reports
    with pytest.raises(IncidentError) as not_incident:
        link_to_incident(ticket=report, incident=other, by=payments_agent)
    assert not_incident.value.code == IncidentErrorCode.NOT_AN_INCIDENT
    make_incident(ticket=incident, by=payments_agent)
    with pytest.raises(IncidentError) as itself:
        link_to_incident(ticket=incident, incident=incident, by=payments_agent)
    assert itself.value.code == IncidentErrorCode.SAME_TICKET
    link_to_incident(ticket=report, incident=incident, by=payments_agent)
    with pytest.raises(IncidentError) as report_as_incident:
        make_incident(ticket=report, by=payments_agent)
    assert report_as_incident.value.code == IncidentErrorCode.IS_REPORT
    change_status(ticket=other, status=Status.CLOSED, by=payments_agent)
    with pytest.raises(IncidentError) as closed:
        link_to_incident(ticket=other, incident=incident, by=payments_agent)
    assert closed.value.code == IncidentErrorCode.CLOSED


def test_one_answer_reaches_the_incident_and_every_open_report(
    reports: list[Ticket], payments_agent: Any
) -> None:
    incident, *rest = reports
    make_incident(ticket=incident, by=payments_agent)
    for report in rest:
        link_to_incident(ticket=report, incident=incident, by=payments_agent)

    outcome = reply_to_reports(incident=incident, body=ANSWER, by=payments_agent, solve=True)

    assert sorted(outcome.answered) == sorted(t.pk for t in reports)
    for ticket in reports:
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED
        reply = Message.objects.filter(ticket=ticket, author_kind=AuthorKind.AGENT).get()
        assert reply.body == ANSWER and not reply.is_internal
        assert ticket.first_response_at is not None
        added = ticket.events.get(kind=EventKind.MESSAGE_ADDED, data__message=reply.pk)
        assert added.actor == payments_agent
        assert verify_history(ticket).ok
        assert verify_archive(export_evidence(ticket, by=payments_agent), against_records=True).ok


def test_a_closed_report_is_not_answered_again(reports: list[Ticket], payments_agent: Any) -> None:
    incident, open_report, closed_report = reports
    make_incident(ticket=incident, by=payments_agent)
    link_to_incident(ticket=open_report, incident=incident, by=payments_agent)
    link_to_incident(ticket=closed_report, incident=incident, by=payments_agent)
    change_status(ticket=closed_report, status=Status.CLOSED, by=payments_agent)

    outcome = reply_to_reports(incident=incident, body=ANSWER, by=payments_agent)

    assert closed_report.pk not in outcome.answered
    assert not Message.objects.filter(ticket=closed_report, author_kind=AuthorKind.AGENT).exists()
    open_report.refresh_from_db()
    assert open_report.status == Status.PENDING


def test_reports_in_another_group_are_left_out_and_named(
    make_ticket: MakeTicket, admin_user: Any, payments_agent: Any
) -> None:
    incident = make_ticket()
    elsewhere = make_ticket(problem_type="account", subject="ログインできません", fields={})
    make_incident(ticket=incident, by=admin_user)
    link_to_incident(ticket=elsewhere, incident=incident, by=admin_user)

    outcome = reply_to_reports(incident=incident, body=ANSWER, by=payments_agent)

    assert outcome.answered == [incident.pk] and outcome.not_yours == [elsewhere.pk]
    assert not Message.objects.filter(ticket=elsewhere, author_kind=AuthorKind.AGENT).exists()


def test_the_incident_page_lists_its_reports_and_answers_them_through_http(
    reports: list[Ticket], payments_agent: Any, login: Login
) -> None:
    incident, *rest = reports
    client = login(payments_agent)
    assert client.post(url("agent_make_incident", incident)).status_code == 302
    for report in rest:
        response = client.post(url("agent_link", report), {"incident": incident.pk})
        assert response.status_code == 302

    page = client.get(url("agent_ticket", incident)).content.decode()
    for report in rest:
        assert f"#{report.pk} {report.subject}" in page
    report_page = client.get(url("agent_ticket", rest[0])).content.decode()
    assert reverse("tickets:agent_ticket", kwargs={"ticket_id": incident.pk}) in report_page

    sent = client.post(url("agent_incident_reply", incident), {"body": ANSWER}, follow=True)
    assert "3" in sent.content.decode()
    assert Message.objects.filter(body=ANSWER).count() == 3

    assert client.post(url("agent_unlink", rest[0])).status_code == 302
    rest[0].refresh_from_db()
    assert rest[0].incident_id is None


def test_another_groups_incident_or_report_is_not_found(
    make_ticket: MakeTicket, payments_agent: Any, login: Login
) -> None:
    mine = make_ticket()
    theirs = make_ticket(problem_type="account", subject="ログインできません", fields={})
    client = login(payments_agent)
    assert client.post(url("agent_make_incident", theirs)).status_code == 404
    assert client.post(url("agent_link", mine), {"incident": theirs.pk}).status_code == 404
    assert client.post(url("agent_link", mine), {"incident": 999_999}).status_code == 404
    assert client.post(url("agent_incident_reply", theirs), {"body": ANSWER}).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_incident


def test_the_incident_page_takes_a_bounded_number_of_queries_for_many_reports(
    make_ticket: MakeTicket,
    payments_agent: Any,
    login: Login,
    django_assert_max_num_queries: Any,
) -> None:
    incident = make_ticket()
    make_incident(ticket=incident, by=payments_agent)
    client = login(payments_agent)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("agent_ticket", incident)).status_code == 200
        return len(captured.captured_queries)

    link_to_incident(ticket=make_ticket(subject="一件"), incident=incident, by=payments_agent)
    few = count_queries()
    for number in range(8):
        report = make_ticket(subject=f"報告{number}")
        link_to_incident(ticket=report, incident=incident, by=payments_agent)
    with django_assert_max_num_queries(few):
        assert client.get(url("agent_ticket", incident)).status_code == 200
