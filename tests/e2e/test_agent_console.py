"""The agent console in a real browser (Debian's chromium): two agents on one ticket, and an
urgent security ticket reaching the security group's queue.

Django's live server speaks WSGI only, so these tests serve madoguchi's own ASGI application
(`madoguchi.asgi.application`: pages through a2wsgi, WebSockets through Channels) with uvicorn,
as `madoguchi serve` does, on a free port in a thread of the test process. Being in the test
process, it reaches the test database (the in-memory SQLite database is shared with the
server's threads the way Django's live server shares it) and the in-memory channel layer.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from a2wsgi import WSGIMiddleware
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from channels.db import DatabaseSyncToAsync
from channels.routing import ProtocolTypeRouter
from django.apps import apps
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import connections

from madoguchi import intake
from madoguchi.accounts.services import create_user
from madoguchi.intake.inbound import InboundMessage
from madoguchi.tickets.events import verify_history
from madoguchi.tickets.models import Message, Priority, Status, SupportGroup, Ticket
from madoguchi.tickets.services import change_priority

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
PASSWORD = "a-long-agent-password"
SATO_DRAFT = "お問い合わせありがとうございます。ただいま確認しております。"
REPLY = "確認いたしました。着金をお客様の口座に反映いたしました。ご不便をおかけしました。"


class AsgiLiveServer:
    """uvicorn serving madoguchi's ASGI application on 127.0.0.1, in a thread."""

    def __init__(self) -> None:
        from madoguchi.asgi import application
        from tests.deployment import free_port

        # An in-memory SQLite database exists only in its connection: hand the test's
        # connection to the server's threads, as django.test.LiveServerThread does.
        self.shared = {
            conn.alias: conn
            for conn in connections.all()
            if conn.vendor == "sqlite" and conn.is_in_memory_db()
        }
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        wsgi = StaticFilesHandler(get_wsgi_application())  # type: ignore[no-untyped-call]

        def pages(environ: dict[str, Any], start_response: Any) -> Any:
            self.share_connections()
            return wsgi(environ, start_response)

        app = ProtocolTypeRouter(
            {
                "http": WSGIMiddleware(pages, workers=4),  # type: ignore[arg-type]
                "websocket": application.application_mapping["websocket"],
            }
        )
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def share_connections(self) -> None:
        for alias, conn in self.shared.items():
            connections[alias] = conn

    def start(self, monkeypatch: Any) -> None:
        for conn in self.shared.values():
            conn.inc_thread_sharing()
        # The consumers' database calls run in channels' executor thread: share there too.
        original = DatabaseSyncToAsync.thread_handler

        def thread_handler(handler: Any, loop: Any, *args: Any, **kwargs: Any) -> Any:
            self.share_connections()
            return original(handler, loop, *args, **kwargs)

        monkeypatch.setattr(DatabaseSyncToAsync, "thread_handler", thread_handler)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                pytest.fail("uvicorn did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        for conn in self.shared.values():
            conn.dec_thread_sharing()


@pytest.fixture
def asgi_server(
    transactional_db: None, settings: Any, monkeypatch: Any
) -> Iterator[AsgiLiveServer]:
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    server = AsgiLiveServer()
    server.start(monkeypatch)
    try:
        yield server
    finally:
        server.stop()


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
def seeded(transactional_db: None) -> Iterator[None]:
    """The support groups, problem types and SLA policies of a fresh install, from their own
    migrations (the flush after each transactional test deletes them); presence starts empty."""
    for name in ("0002_seed_problem_types", "0005_seed_sla_policies"):
        importlib.import_module(f"madoguchi.tickets.migrations.{name}").seed(apps, None)
    cache.clear()
    yield
    cache.clear()


def make_agent(name: str, group: str) -> tuple[Any, str]:
    """An agent of `group` with a real TOTP secret; returns the user and the secret."""
    agent = create_user(email=f"{name.lower()}@tsukimi.example", password=PASSWORD, role="agent")
    agent.first_name = name
    agent.save(update_fields=["first_name"])
    SupportGroup.objects.get(slug=group).members.add(agent)
    secret = generate_totp_secret()
    TOTP.activate(agent, secret)
    return agent, secret


def current_totp(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def signed_in_page(browser: Any, base: str, agent: Any, secret: str, next_path: str) -> Any:
    """A new browser context in Japanese, signed in with the password and the TOTP code."""
    page = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo").new_page()
    page.goto(f"{base}/ja/accounts/login/?next={next_path}")
    page.fill("input[name=login]", agent.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.wait_for_url("**/2fa/authenticate/**")
    # TOTP_TOLERANCE is 0: a code typed as its 30-second step ends may arrive in the next
    # one. Two tries never both straddle a boundary.
    for _attempt in range(2):
        page.fill("input[name=code]", current_totp(secret))
        with page.expect_navigation():
            page.press("input[name=code]", "Enter")
        if "/2fa/authenticate/" not in page.url:
            break
    page.wait_for_url(f"**{next_path}")
    return page


def file_ticket(**values: Any) -> Ticket:
    """A ticket as a customer's message makes it: through intake."""
    outcome = intake.receive(InboundMessage(**values))
    assert outcome.outcome == "created", outcome
    return Ticket.objects.get(pk=outcome.ticket_id)


def deposit_ticket() -> Ticket:
    customer = create_user(email="hanako@example.jp", password="a-long-customer-password")
    return file_ticket(
        channel="web",
        subject="BTCの入金が反映されません",
        body="昨日BTCを送金しましたが、まだ反映されていません。",
        sender_email=customer.email,
        customer_id=customer.pk,
        email_verified=True,
        problem_type="deposit",
        fields={"coin": "BTC", "network": "BTC", "amount": "0.5"},
        language="ja",
    )


def test_two_agents_on_one_ticket_see_each_other_and_a_reply_appears_without_reloading(
    asgi_server: AsgiLiveServer, browser: Any
) -> None:
    base = asgi_server.url
    ticket = deposit_ticket()
    sato, sato_secret = make_agent("Sato", "payments")
    suzuki, suzuki_secret = make_agent("Suzuki", "payments")
    path = f"/ja/agent/tickets/{ticket.pk}/"

    sato_page = signed_in_page(browser, base, sato, sato_secret, path)
    suzuki_page = signed_in_page(browser, base, suzuki, suzuki_secret, path)

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
    assert Message.objects.filter(ticket=ticket, body=REPLY, author=suzuki).exists()
    assert verify_history(ticket).ok

    # Suzuki leaves: the warning on Sato's page goes away.
    suzuki_page.context.close()
    sato_page.wait_for_selector(".agent-live__presence", state="hidden")


def test_an_urgent_account_takeover_appears_at_the_top_of_the_security_queue_with_its_countdown(
    asgi_server: AsgiLiveServer, browser: Any
) -> None:
    base = asgi_server.url
    customer = create_user(email="taro@example.jp", password="a-long-customer-password")
    guard, secret = make_agent("Tanaka", "security")
    # Already in the queue: a phishing report, lowered to normal by an agent.
    earlier = file_ticket(
        channel="web",
        subject="サポートを名乗るDMが届きました",
        body="サポートを名乗るアカウントからDMが届きました。本物でしょうか。",
        sender_email=customer.email,
        customer_id=customer.pk,
        email_verified=True,
        problem_type="security",
        fields={"what_happened": "phishing"},
        language="ja",
    )
    change_priority(ticket=earlier, priority=Priority.NORMAL, by=guard)

    queue = signed_in_page(browser, base, guard, secret, "/ja/agent/tickets/")
    rows = queue.locator(".agent-queue__table tbody tr[data-queue-row]")
    assert rows.count() == 1
    queue.evaluate("window.notReloaded = true")

    # The customer reports a takeover (through intake, as the support form sends it).
    takeover = file_ticket(
        channel="web",
        subject="身に覚えのないログインがあります",
        body="今朝、身に覚えのないログイン通知が届き、パスワードが変更されていました。",
        sender_email=customer.email,
        customer_id=customer.pk,
        email_verified=True,
        problem_type="security",
        fields={"what_happened": "takeover"},
        language="ja",
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
