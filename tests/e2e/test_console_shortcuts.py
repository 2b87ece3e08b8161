"""The console's keys in a real browser (Debian's chromium): j/k and Enter in the queue, the
help overlay, a canned reply and a Help Center link inserted at the cursor, Ctrl+Enter to send,
g q back to the queue."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings as django_settings
from django.test import Client

from madoguchi import intake
from madoguchi.accounts.services import create_user
from madoguchi.intake.inbound import InboundMessage
from madoguchi.search.documents import Document
from madoguchi.search.services import index_documents
from madoguchi.tickets.models import CannedReply, Message, SupportGroup, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are
    # plain synchronous test code, so Django's async-safety guard does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(autouse=True)
def seeded(transactional_db: None) -> None:
    """The support groups and problem types of a fresh install (the flush after each
    transactional test deletes them)."""
    migration = importlib.import_module("madoguchi.tickets.migrations.0002_seed_problem_types")
    migration.seed(apps, None)


def file_ticket(customer: Any, subject: str) -> Ticket:
    outcome = intake.receive(
        InboundMessage(
            channel="web",
            subject=subject,
            body="昨日BTCを送金しましたが、まだ反映されていません。",
            sender_email=customer.email,
            customer_id=customer.pk,
            email_verified=True,
            problem_type="deposit",
            fields={"coin": "BTC", "network": "BTC", "amount": "0.5"},
            language="ja",
        )
    )
    return Ticket.objects.get(pk=outcome.ticket_id)


def signed_in_page(browser: Any, base: str, user: Any) -> Any:
    """A page whose browser holds the session of `user` (password and TOTP are the login
    journey's subject, not this one's)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    return context.new_page()


def test_an_agent_works_a_ticket_from_the_keyboard(
    live_server: Any, browser: Any, settings: Any
) -> None:
    base = live_server.url
    settings.MADOGUCHI_BASE_URL = base
    customer = create_user(email="hanako@example.com", password="a-long-customer-password")
    agent = create_user(email="sato@tsukimi.example", password="a-long-agent-pw", role="agent")
    Authenticator.objects.create(user=agent, type=Authenticator.Type.TOTP, data={"secret": "x"})
    SupportGroup.objects.get(slug="payments").members.add(agent)
    first = file_ticket(customer, "一件目: 入金が反映されません")
    second = file_ticket(customer, "二件目: 入金が反映されません")
    Ticket.objects.filter(pk=second.pk).update(requester_name="山田 花子")
    CannedReply.objects.create(
        title="承認待ち",
        body_ja="{customer_name}、#{ticket_id} を確認しています。",
        body_en="-",
    )
    index_documents(
        [
            Document(
                type="article",
                id=1,
                locale="ja",
                slug="deposit-not-credited",
                title="入金が反映されないとき",
                body="ブロックチェーンの承認数が足りないと入金は反映されません。",
                url="/ja/articles/deposit-not-credited/",
            )
        ]
    )
    page = signed_in_page(browser, base, agent)
    page.goto(f"{base}/ja/agent/tickets/")

    # j, j, k, Enter: the second row of the queue opens.
    rows = page.locator("[data-queue-row]")
    assert rows.count() == 2
    order = [int(rows.nth(i).get_attribute("data-ticket") or 0) for i in range(2)]
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("j")
    assert "is-selected" in (rows.nth(1).get_attribute("class") or "")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/ja/agent/tickets/{order[1]}/")
    ticket = Ticket.objects.get(pk=order[1])

    # ? lists this page's keys in Japanese; Esc closes the list.
    page.keyboard.press("?")
    help_text = page.inner_text("#console-keys")
    for label in (
        "お客様への返信",
        "定型文を選ぶ",
        "ヘルプセンターの記事を挿入",
        "チケット一覧に戻る",
    ):
        assert label in help_text
    page.keyboard.press("Escape")
    assert not page.is_visible("#console-keys")

    # r: the reply box; typing keys there types, Esc leaves it.
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reply-body"
    page.keyboard.type("お問い合わせありがとうございます。")
    page.keyboard.press("Escape")
    assert page.input_value("#reply-body") == "お問い合わせありがとうございます。"

    # c, ArrowDown, Enter: the canned reply, filled, goes in after the text.
    page.keyboard.press("c")
    assert page.evaluate("document.activeElement.id") == "composer-canned"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    name = "山田 花子 様" if ticket.pk == second.pk else "お客様"
    assert page.input_value("#reply-body") == (
        f"お問い合わせありがとうございます。\n{name}、#{ticket.pk} を確認しています。"
    )

    # i: a few words, pick the article: its title and absolute address go in at the cursor.
    page.keyboard.press("Escape")
    page.keyboard.press("i")
    page.keyboard.type("入金 反映")
    page.locator(".composer__article").first.click()
    value = page.input_value("#reply-body")
    assert value.endswith(f"入金が反映されないとき\n{base}/ja/articles/deposit-not-credited/")

    # Ctrl+Enter in the reply box sends it.
    page.focus("#reply-body")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    sent = Message.objects.get(ticket=ticket, author=agent)
    assert sent.body == value
    assert first.pk in order

    # g q: back to the queue.
    with page.expect_navigation():
        page.keyboard.press("g")
        page.keyboard.press("q")
    assert page.url.endswith("/ja/agent/tickets/")
