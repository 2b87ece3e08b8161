"""The "Details" column of the ticket page's history for merges, incidents, customer merges and
the SLA clock: each done through its service, then read on the page in Japanese."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.accounts.services import create_user
from madoguchi.tickets import services
from madoguchi.tickets.models import ProblemType, SlaPolicy, Status, SupportGroup, Ticket
from madoguchi.tickets.services.customers import merge_customers
from madoguchi.tickets.services.incidents import (
    link_to_incident,
    make_incident,
    unlink_from_incident,
)
from madoguchi.tickets.services.merging import merge_tickets
from madoguchi.tickets.services.sla import check_sla

pytestmark = pytest.mark.django_db

MakeTicket = Callable[..., Ticket]
Login = Callable[[Any], Client]


def history_of(client: Client, ticket: Ticket) -> str:
    response = client.get(f"/ja/agent/tickets/{ticket.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def shown(moment: datetime | None) -> str:
    assert moment is not None
    local = timezone.localtime(moment)
    return f"{local.month}/{local.day} {local:%H:%M}"


def test_a_merge_names_the_other_ticket_on_both_sides(
    make_ticket: MakeTicket, payments_agent: Any, login: Login
) -> None:
    source, into = make_ticket(subject="一件目"), make_ticket(subject="二件目")
    merge_tickets(source=source, into=into, by=payments_agent)
    client = login(payments_agent)

    assert f"#{into.pk} に統合" in history_of(client, source)
    page = history_of(client, into)
    assert f"#{source.pk} を統合 (メッセージ 1 件、添付ファイル 0 件)" in page
    assert f"#{source.pk} からコピー" in page


def test_incident_links_name_the_incident_and_the_report(
    make_ticket: MakeTicket, payments_agent: Any, login: Login
) -> None:
    incident, report = make_ticket(), make_ticket(subject="同じく入金が遅れています")
    make_incident(ticket=incident, by=payments_agent)
    link_to_incident(ticket=report, incident=incident, by=payments_agent)
    unlink_from_incident(ticket=report, by=payments_agent)
    client = login(payments_agent)

    report_page = history_of(client, report)
    assert f"インシデント #{incident.pk} の報告" in report_page
    assert f"インシデント #{incident.pk} との紐付けを解除" in report_page
    incident_page = history_of(client, incident)
    assert "同じ問題の報告をこのチケットに紐付けられます" in incident_page
    assert f"報告 #{report.pk} を紐付け" in incident_page
    assert f"報告 #{report.pk} の紐付けを解除" in incident_page


def test_a_customer_merge_shows_the_addresses_escaped_and_the_tickets_moved(
    make_ticket: MakeTicket, customer: Any, payments_agent: Any, login: Login
) -> None:
    old = create_user(email="o'hara&hanako@example.jp", password="a-long-customer-password")
    theirs = make_ticket(sender_email=old.email, customer_id=old.pk)
    started = make_ticket()
    merge_customers(source=old, into=customer, by=payments_agent, started_from=started)
    client = login(payments_agent)

    page = history_of(client, theirs)
    assert "o&#x27;hara&amp;hanako@example.jp → hanako@example.jp" in page
    assert f"移動したチケット: #{theirs.pk}" in history_of(client, started)


def test_the_sla_clock_shows_its_due_times_pauses_warning_breach_and_escalation(
    make_ticket: MakeTicket, payments_agent: Any, admin_user: Any, login: Login
) -> None:
    SlaPolicy.objects.create(
        name_ja="入金 (テスト)",
        name_en="Deposits (test)",
        position=0,
        problem_type=ProblemType.objects.get(slug="deposit"),
        first_response_minutes=60,
        resolution_minutes=240,
        warn_before_minutes=15,
        escalate_to_priority="urgent",
        escalate_to_group=SupportGroup.objects.get(slug="security"),
    )
    ticket = make_ticket()
    services.change_status(ticket=ticket, status=Status.PENDING, by=payments_agent)
    services.change_status(ticket=ticket, status=Status.OPEN, by=payments_agent)
    ticket.refresh_from_db()
    due = ticket.first_response_due_at
    assert due is not None
    check_sla(now=due - timedelta(minutes=10))
    check_sla(now=due + timedelta(minutes=1))
    ticket.refresh_from_db()

    page = history_of(login(admin_user), ticket)
    assert f"初回応答期限 {shown(due)}" in page
    assert f"解決期限 {shown(ticket.resolution_due_at)}" in page
    assert "(振り分け時)" in page
    assert "顧客の返信待ち: 時計を停止" in page
    assert "営業時間で0時間0分停止" in page
    assert f"初回応答期限超過 (初回応答期限 {shown(due)})" in page
    assert "初回応答期限超過; 優先度 → 緊急; グループ → security; グループに通知済み" in page
