"""The agent console in a real browser (Debian's chromium): two agents on one ticket, and an
urgent security ticket reaching the security group's queue.

Django's live server speaks WSGI only, so these tests use `asgi_server` (tests/e2e/conftest.py):
madoguchi's own ASGI application under uvicorn in a thread of the test process, for the
WebSockets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from madoguchi.tickets.events import verify_history
from madoguchi.tickets.models import Message, Priority, Status
from madoguchi.tickets.services import change_priority
from tests.e2e.conftest import AsgiLiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SATO_DRAFT = "お問い合わせありがとうございます。ただいま確認しております。"
REPLY = "確認いたしました。着金をお客様の口座に反映いたしました。ご不便をおかけしました。"


def agent_named(make_agent: Callable[..., Any], name: str, group: str) -> Any:
    return make_agent(f"{name.lower()}@tsukimi.example", group=group, first_name=name)


def test_two_agents_on_one_ticket_see_each_other_and_a_reply_appears_without_reloading(
    asgi_server: AsgiLiveServer,
    agent_page: Callable[..., Any],
    make_agent: Callable[..., Any],
    make_customer: Callable[[str], Any],
    file_ticket: Callable[..., Any],
) -> None:
    base = asgi_server.url
    ticket = file_ticket(make_customer("hanako@example.jp"))
    sato = agent_named(make_agent, "Sato", "payments")
    suzuki = agent_named(make_agent, "Suzuki", "payments")
    path = f"/ja/agent/tickets/{ticket.pk}/"

    sato_page = agent_page(base, sato, path)
    suzuki_page = agent_page(base, suzuki, path)

    # Each sees the other named in the collision warning.
    sato_page.wait_for_selector(".agent-live__presence:has-text('Suzuki')")
    suzuki_page.wait_for_selector(".agent-live__presence:has-text('Sato')")
    assert "表示" in sato_page.inner_text(".agent-live__presence")

    # Suzuki starts a reply: Sato is told Suzuki is writing one.
    sato_page.evaluate("window.notReloaded = true")
    suzuki_page.fill("#reply-body", REPLY)
    typing = sato_page.wait_for_selector(".agent-live__person--typing:has-text('Suzuki')")
    assert typing is not None and "返信" in typing.inner_text()

    # Sato starts a draft too, and Suzuki sees it.
    sato_page.fill("#reply-body", SATO_DRAFT)
    suzuki_page.wait_for_selector(".agent-live__person--typing:has-text('Sato')")

    # Suzuki sends his; it appears on Sato's page, which was not reloaded, and Sato is told to
    # read it before sending, with his draft untouched.
    suzuki_page.select_option("#reply-status", Status.PENDING.value)
    suzuki_page.click("#reply .form__actions button[type=submit]")
    sato_page.wait_for_selector(
        f"#conversation .agent-message--agent.agent-message--new:has-text('{REPLY[:12]}')"
    )
    assert sato_page.evaluate("window.notReloaded") is True
    assert "送信する前に" in sato_page.inner_text(".agent-live__replied")
    assert sato_page.input_value("#reply-body") == SATO_DRAFT
    # The state line and the history moved with it.
    sato_page.wait_for_selector(".agent-ticket__state .agent-status--pending")
    # Waiting for the customer: the SLA countdown shows the clock paused.
    sato_page.wait_for_selector(".agent-ticket__sla [data-sla-countdown][data-sla-state='paused']")
    newest = ticket.events.order_by("-sequence").first()
    assert newest is not None
    sato_page.wait_for_selector(f".agent-history td.numeric:text-is('{newest.sequence}')")
    assert Message.objects.filter(ticket=ticket, body=REPLY, author=suzuki.user).exists()
    assert verify_history(ticket).ok

    # Suzuki leaves: the warning on Sato's page goes away.
    suzuki_page.context.close()
    sato_page.wait_for_selector(".agent-live__presence", state="hidden")


def test_an_urgent_account_takeover_appears_at_the_top_of_the_security_queue_with_its_countdown(
    asgi_server: AsgiLiveServer,
    agent_page: Callable[..., Any],
    make_agent: Callable[..., Any],
    make_customer: Callable[[str], Any],
    file_ticket: Callable[..., Any],
) -> None:
    base = asgi_server.url
    customer = make_customer("taro@example.jp")
    guard = agent_named(make_agent, "Tanaka", "security")
    # Already in the queue: a phishing report, lowered to normal by an agent.
    earlier = file_ticket(
        customer,
        subject="サポートを名乗るDMが届きました",
        body="サポートを名乗るアカウントからDMが届きました。本物でしょうか。",
        problem_type="security",
        fields={"what_happened": "phishing"},
    )
    change_priority(ticket=earlier, priority=Priority.NORMAL, by=guard.user)

    queue = agent_page(base, guard, "/ja/agent/tickets/")
    rows = queue.locator(".agent-queue__table tbody tr[data-queue-row]")
    assert rows.count() == 1
    queue.evaluate("window.notReloaded = true")

    # The customer reports a takeover (through intake, as the support form sends it).
    takeover = file_ticket(
        customer,
        subject="身に覚えのないログインがあります",
        body="今朝、身に覚えのないログイン通知が届き、パスワードが変更されていました。",
        problem_type="security",
        fields={"what_happened": "takeover"},
    )
    assert takeover.priority == Priority.URGENT
    assert takeover.group is not None and takeover.group.slug == "security"

    # It appears on the open queue without a reload, first, marked new, with its countdown.
    top = queue.locator(".agent-queue__table tbody tr[data-queue-row]").first
    queue.wait_for_function(
        "id => document.querySelector('.agent-queue__table tbody tr[data-queue-row]')"
        "?.dataset.ticket === String(id)",
        arg=takeover.pk,
    )
    assert queue.evaluate("window.notReloaded") is True
    assert rows.count() == 2
    assert "agent-queue__row--new" in (top.get_attribute("class") or "")
    assert "身に覚えのないログインがあります" in top.inner_text()
    countdown = top.locator("[data-sla-countdown]")
    assert countdown.get_attribute("data-sla-state") == "ok"
    assert "初回" in countdown.inner_text(), countdown.inner_text()
    assert rows.nth(1).get_attribute("data-ticket") == str(earlier.pk)
