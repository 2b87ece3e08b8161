"""The people a customer copied in: agents see and remove them on the ticket page, the history
says so, the customer's page names them, and the next answer no longer goes to the removed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from madoguchi.tickets.models import Delivery, EventKind, Ticket

pytestmark = pytest.mark.django_db

MakeTicket = Callable[..., Ticket]
Login = Callable[[Any], Client]

COPIED = ("Taro@Example.jp", "jiro@example.com")


def page(ticket: Ticket) -> str:
    return f"/ja/agent/tickets/{ticket.pk}/"


def remove_url(ticket: Ticket) -> str:
    return f"/ja/agent/tickets/{ticket.pk}/copied/remove/"


def test_the_agent_sees_who_is_copied_with_a_form_to_remove_each(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket(cc=COPIED)
    html = login(payments_agent).get(page(ticket)).content.decode()
    assert 'id="copied"' in html
    assert html.count(f'action="{remove_url(ticket)}"') == 2
    assert 'name="email" value="taro@example.jp"' in html
    assert 'name="email" value="jiro@example.com"' in html
    assert "csrfmiddlewaretoken" in html.split('id="copied"', 1)[1]


def test_a_ticket_without_copied_people_shows_no_such_panel(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    html = login(payments_agent).get(page(make_ticket())).content.decode()
    assert 'id="copied"' not in html


def test_an_agent_removes_one_and_the_history_says_who_and_whom(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket(cc=COPIED)
    client = login(payments_agent)
    response = client.post(remove_url(ticket), {"email": "taro@example.jp"}, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"{page(ticket)}#copied")
    html = response.content.decode()
    assert "taro@example.jp には今後、回答の写しが届きません。" in html
    ticket.refresh_from_db()
    assert ticket.cc_emails == ["jiro@example.com"]
    removal = ticket.events.filter(kind=EventKind.CC_CHANGED).order_by("-sequence").first()
    assert removal is not None and removal.actor_id == payments_agent.pk
    history = html.split('id="history"', 1)[1]
    assert "写しの送付をやめました：taro@example.jp" in history
    assert "写しを送ります：taro@example.jp, jiro@example.com" in history


def test_an_address_that_is_not_copied_is_refused_with_a_message(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket(cc=COPIED)
    events = ticket.events.count()
    response = login(payments_agent).post(
        remove_url(ticket), {"email": "someone@else.example"}, follow=True
    )
    assert "このチケットの写しの送付先にありません。" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.cc_emails == ["taro@example.jp", "jiro@example.com"]
    assert ticket.events.count() == events


def test_an_agent_of_another_group_gets_not_found_and_changes_nothing(
    general_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket(cc=COPIED)
    response = login(general_agent).post(remove_url(ticket), {"email": "taro@example.jp"})
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.cc_emails == ["taro@example.jp", "jiro@example.com"]


def test_the_customer_cannot_remove_anyone(
    customer: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket(cc=COPIED)
    response = login(customer).post(remove_url(ticket), {"email": "taro@example.jp"})
    assert response.status_code == 404
    visitor = login(None).post(remove_url(ticket), {"email": "taro@example.jp"})
    assert visitor.status_code == 302 and "/accounts/login/" in visitor["Location"]
    ticket.refresh_from_db()
    assert ticket.cc_emails == ["taro@example.jp", "jiro@example.com"]


def test_removal_needs_a_post_with_the_csrf_token(
    payments_agent: Any, make_ticket: MakeTicket
) -> None:
    ticket = make_ticket(cc=COPIED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(payments_agent)
    assert client.get(remove_url(ticket)).status_code == 405
    assert client.post(remove_url(ticket), {"email": "taro@example.jp"}).status_code == 403
    ticket.refresh_from_db()
    assert len(ticket.cc_emails) == 2


def test_the_next_answer_is_not_copied_to_a_removed_person(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket(cc=COPIED)
    client = login(payments_agent)
    client.post(remove_url(ticket), {"email": "TARO@example.jp"})
    client.post(
        f"/ja/agent/tickets/{ticket.pk}/reply/", {"body": "確認します。", "status": "pending"}
    )
    copies = {d.audience: d for d in Delivery.objects.filter(ticket=ticket, kind="reply")}
    assert set(copies) == {"customer", "cc"}
    for copy in copies.values():
        assert copy.to == ["hanako@example.jp"]
        assert copy.cc == ["jiro@example.com"]

    client.post(remove_url(ticket), {"email": "jiro@example.com"})
    client.post(f"/ja/agent/tickets/{ticket.pk}/reply/", {"body": "完了です。", "status": "solved"})
    last = Delivery.objects.filter(ticket=ticket, kind="reply").order_by("-pk")
    newest_message = last[0].message_id
    latest = [d for d in last if d.message_id == newest_message]
    assert [(d.audience, d.cc) for d in latest] == [("customer", [])]


def test_the_customer_sees_who_is_copied_on_the_answers(
    customer: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket(cc=COPIED)
    html = login(customer).get(f"/ja/support/tickets/{ticket.pk}/").content.decode()
    assert "回答の写しの送付先：" in html
    assert "taro@example.jp, jiro@example.com" in html


def test_the_copied_panel_costs_the_ticket_page_no_query(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    client = login(payments_agent)
    plain, copied = make_ticket(), make_ticket(subject="写しあり", body="Ccあり", cc=COPIED)
    counts = []
    for ticket in (plain, copied):
        client.get(page(ticket))  # the session and the language warm up
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page(ticket)).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
