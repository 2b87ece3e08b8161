"""Whether an answer reached the customer, as the agent and the admin see it: each reply on the
ticket page says sending, sent, retrying (with the server's words), not delivered or returned;
the history says which copy failed; the admin lists failed copies and sends them again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from madoguchi.tickets import outbound
from madoguchi.tickets.models import Delivery, DeliveryStatus, EventKind, Ticket
from tests.servers.smtp_peer import SmtpPeer

pytestmark = pytest.mark.django_db

Login = Callable[[Any], Client]


def ticket_url(ticket: Ticket) -> str:
    return reverse("tickets:agent_ticket", kwargs={"ticket_id": ticket.pk})


def reply_by_http(client: Client, ticket: Ticket, capture: Any, body: str) -> Delivery:
    with capture(execute=True):
        response = client.post(
            reverse("tickets:agent_reply", kwargs={"ticket_id": ticket.pk}),
            {"body": body, "status": "pending"},
        )
    assert response.status_code == 302
    return Delivery.objects.filter(ticket=ticket, kind="reply").latest("id")


def delivery_line(html: str) -> str:
    start = html.index('class="agent-delivery ')
    return html[start : html.index("</li>", start)]


def test_a_refused_reply_says_not_delivered_on_the_ticket_and_in_its_history(
    smtp_outbound: SmtpPeer,
    payments_agent: Any,
    make_ticket: Callable[..., Ticket],
    login: Login,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ticket = make_ticket()
    smtp_outbound.refuse("550 5.1.1 <hanako@example.jp>: Recipient address rejected")
    client = login(payments_agent)

    delivery = reply_by_http(client, ticket, django_capture_on_commit_callbacks, "ご回答です。")

    assert delivery.status == DeliveryStatus.FAILED
    html = client.get(ticket_url(ticket)).content.decode()
    line = delivery_line(html)
    assert 'data-delivery-status="failed"' in line
    assert "お客様:" in line and "届けられませんでした" in line
    assert "550 5.1.1 &lt;…&gt;: Recipient address rejected" in line
    assert "hanako@example.jp" not in line
    assert "お客様への返信: 550 5.1.1" in html  # the history entry, in words


def test_a_temporary_failure_shows_retrying_then_sent(
    smtp_outbound: SmtpPeer,
    payments_agent: Any,
    make_ticket: Callable[..., Ticket],
    login: Login,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ticket = make_ticket()
    smtp_outbound.refuse("451 4.3.0 Temporary lookup failure")
    client = login(payments_agent)

    delivery = reply_by_http(client, ticket, django_capture_on_commit_callbacks, "ご回答です。")

    line = delivery_line(client.get(ticket_url(ticket)).content.decode())
    assert "再送予定" in line
    assert "1 回失敗しました: 451 4.3.0 Temporary lookup failure" in line

    smtp_outbound.accept()
    assert delivery.next_attempt_at is not None
    outbound.send(delivery.pk, now=delivery.next_attempt_at + timedelta(seconds=1))
    line = delivery_line(client.get(ticket_url(ticket)).content.decode())
    assert 'data-delivery-status="sent"' in line and "送信済み" in line
    assert not ticket.events.filter(kind=EventKind.DELIVERY_FAILED).exists()


def test_a_bounced_reply_says_returned_on_the_ticket(
    smtp_outbound: SmtpPeer,
    payments_agent: Any,
    make_ticket: Callable[..., Ticket],
    login: Login,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ticket = make_ticket()
    client = login(payments_agent)
    delivery = reply_by_http(client, ticket, django_capture_on_commit_callbacks, "ご回答です。")
    assert delivery.status == DeliveryStatus.SENT

    outbound.mark_bounced([delivery.rfc_message_id], reason="5.1.1 user unknown")

    html = client.get(ticket_url(ticket)).content.decode()
    assert "宛先不明で戻ってきました" in delivery_line(html)
    assert "お客様への返信: 5.1.1 user unknown" in html


def test_admins_list_failed_copies_and_send_them_again(
    smtp_outbound: SmtpPeer,
    payments_agent: Any,
    admin_user: Any,
    make_ticket: Callable[..., Ticket],
    login: Login,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ticket = make_ticket()
    agent = login(payments_agent)
    sent = reply_by_http(agent, ticket, django_capture_on_commit_callbacks, "一通目です。")
    smtp_outbound.refuse("554 5.7.1 Message rejected")
    failed = reply_by_http(agent, ticket, django_capture_on_commit_callbacks, "二通目です。")
    assert (sent.status, failed.status) == (DeliveryStatus.SENT, DeliveryStatus.FAILED)

    admin = login(admin_user)
    listing = admin.get("/en/admin/tickets/delivery/", {"status__exact": "failed"})
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [failed]
    assert "554 5.7.1 Message rejected" in listing.content.decode()

    smtp_outbound.accept()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/en/admin/tickets/delivery/",
            {"action": "try_again", "_selected_action": [failed.pk, sent.pk]},
        )
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert "1 copy will be sent again." in said
    assert any("1 copy was left alone" in text for text in said)
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT
    assert smtp_outbound.received[-1].message["Message-ID"] == failed.rfc_message_id
    assert len(smtp_outbound.messages_to(ticket.requester_email)) == 2  # the first, not twice


def test_a_reply_the_worker_has_not_sent_yet_says_sending(
    payments_agent: Any, make_ticket: Callable[..., Ticket], login: Login
) -> None:
    ticket = make_ticket()
    client = login(payments_agent)
    # No commit callbacks run here: the copy waits in the queue, as it does until the worker
    # takes it.
    client.post(
        reverse("tickets:agent_reply", kwargs={"ticket_id": ticket.pk}),
        {"body": "ご回答です。", "status": "pending"},
    )

    line = delivery_line(client.get(ticket_url(ticket)).content.decode())
    assert 'data-delivery-status="queued"' in line and "送信中" in line
