"""The console's keys in a real browser (Debian's chromium): j/k and Enter in the queue, the
help overlay, a canned reply and a Help Center link inserted at the cursor, Ctrl+Enter to send,
g q back to the queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from madoguchi.search.documents import Document
from madoguchi.search.services import index_documents
from madoguchi.tickets.models import CannedReply, Message, Ticket
from tests.e2e.conftest import Desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_works_a_ticket_from_the_keyboard(
    payments_desk: Desk, session_page: Callable[..., Any], file_ticket: Callable[..., Ticket]
) -> None:
    base, customer, agent = payments_desk.base, payments_desk.customer, payments_desk.agent
    first = file_ticket(customer, subject="一件目: 入金が反映されません")
    second = file_ticket(customer, subject="二件目: 入金が反映されません")
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
    page = session_page(base, agent)
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
