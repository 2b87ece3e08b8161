"""The one-click unsubscribe link of notices (RFC 8058), as a mail program and a person use it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signing
from django.test import Client

from madoguchi import intake
from madoguchi.intake.inbound import InboundMessage
from madoguchi.mail.models import Unsubscribe
from madoguchi.mail.send.unsubscribe import token_for, unsubscribe_url
from madoguchi.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(db: None) -> Ticket:
    outcome = intake.receive(
        InboundMessage(
            channel="email",
            subject="出金について",
            body="出金が届きません。",
            sender_email="Hanako@Example.jp",
            email_verified=True,
            language="ja",
        )
    )
    return Ticket.objects.get(pk=outcome.ticket_id)


def path_of(url: str, settings: Any) -> str:
    return url.removeprefix(settings.MADOGUCHI_BASE_URL)


def test_a_mail_programs_one_click_post_unsubscribes_without_a_cookie(
    ticket: Ticket, settings: Any
) -> None:
    url = path_of(unsubscribe_url(ticket), settings)
    assert "hanako" not in url.lower()  # the link names the ticket, not the address

    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert list(Unsubscribe.objects.values_list("email", flat=True)) == ["hanako@example.jp"]
    assert "お知らせの配信を停止しました" in response.content.decode()


def test_opening_the_link_only_asks_so_link_scanners_unsubscribe_nobody(
    ticket: Ticket, settings: Any
) -> None:
    response = Client().get(path_of(unsubscribe_url(ticket), settings))

    assert response.status_code == 200
    assert '<button type="submit"' in response.content.decode()
    assert not Unsubscribe.objects.exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [("ja", "このリンクは使用できません"), ("en", "This link does not work")],
)
def test_a_changed_token_is_refused_in_the_users_language(
    ticket: Ticket, language: str, words: str
) -> None:
    forged = token_for(ticket)[:-3] + "abc"

    response = Client().post(f"/{language}/mail/unsubscribe/{forged}/")

    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Unsubscribe.objects.exists()


def test_a_token_for_another_purpose_is_refused(ticket: Ticket) -> None:
    other = signing.dumps({"t": ticket.pk}, salt="madoguchi.tickets.visitor-access")

    assert Client().post(f"/ja/mail/unsubscribe/{other}/").status_code == 400
