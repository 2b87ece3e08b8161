"""What every browser test stands on: a freshly migrated database, Debian's chromium through
Playwright, people signed in (password and a real TOTP code, or a session cookie), tickets
made through intake, and madoguchi's ASGI application served by uvicorn for WebSockets.

The database: the browser talks to a server in another thread, so every test here is
transactional; tests/conftest.py starts each one from what `migrate` leaves (tests/seeds.py).

Under CI=true a missing chromium or Playwright fails the test instead of skipping it
(tests/conftest.py, `require_service`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
from django.conf import settings as django_settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.test import Client

from madoguchi import intake
from madoguchi.accounts.services import create_user
from madoguchi.intake.inbound import InboundMessage
from madoguchi.tickets.models import SupportGroup, Ticket
from tests.conftest import require_service
from tests.deployment import free_port

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STAFF_PASSWORD = "a-long-agent-password"
CUSTOMER_PASSWORD = "a-long-customer-password"


@pytest.fixture(autouse=True)
def fresh_install(transactional_db: None) -> Iterator[None]:
    """A browser test talks to a real server in another thread: it runs transactional, from the
    database as `migrate` leaves it (tests/conftest.py puts the seeds back, tests/seeds.py)."""
    yield


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Any]:
    """Debian's chromium, headless; each test opens its own contexts (one per person)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - Playwright is a dev dependency
        require_service("Playwright", False)
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the tests are
    # plain synchronous code, so Django's async-safety guard does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def new_page(browser: Any) -> Callable[..., Any]:
    """`new_page()`: a page in a context of its own (its own cookies): Japanese, Tokyo time."""

    def make(locale: str = "ja-JP", timezone_id: str = "Asia/Tokyo") -> Any:
        return browser.new_context(locale=locale, timezone_id=timezone_id).new_page()

    return make


# --- People -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agent:
    """A staff user with a real TOTP secret, as the login page needs them."""

    user: Any
    secret: str

    @property
    def email(self) -> str:
        return str(self.user.email)


@pytest.fixture
def make_agent() -> Callable[..., Agent]:
    """`make_agent("sato@tsukimi.example", group="payments", first_name="Sato")`."""

    def make(email: str, *, group: str, first_name: str = "") -> Agent:
        user = create_user(email=email, password=STAFF_PASSWORD, role="agent")
        if first_name:
            user.first_name = first_name
            user.save(update_fields=["first_name"])
        SupportGroup.objects.get(slug=group).members.add(user)
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return Agent(user=user, secret=secret)

    return make


def current_totp(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(page: Any, base: str, *, email: str, password: str, next_path: str) -> None:
    """The login form, filled and sent; the page is wherever the site sent it next."""
    page.goto(f"{base}/ja/accounts/login/?next={next_path}")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def log_in_agent(page: Any, base: str, agent: Agent, next_path: str) -> None:
    """Password, then the current TOTP code; the page ends on `next_path`."""
    log_in(page, base, email=agent.email, password=STAFF_PASSWORD, next_path=next_path)
    page.wait_for_url("**/2fa/authenticate/**")
    # TOTP_TOLERANCE is 0: a code typed as its 30-second step ends may arrive in the next
    # one. Two tries never both straddle a boundary.
    for _attempt in range(2):
        page.fill("input[name=code]", current_totp(agent.secret))
        with page.expect_navigation():
            page.press("input[name=code]", "Enter")
        if "/2fa/authenticate/" not in page.url:
            break
    page.wait_for_url(f"**{next_path}")


@pytest.fixture
def agent_page(new_page: Callable[..., Any]) -> Callable[..., Any]:
    """`agent_page(base, agent, next_path)`: a new context signed in with password and TOTP."""

    def make(base: str, agent: Agent, next_path: str) -> Any:
        page = new_page()
        log_in_agent(page, base, agent, next_path)
        return page

    return make


@pytest.fixture
def session_page(new_page: Callable[..., Any]) -> Callable[..., Any]:
    """`session_page(base, user)`: a new context holding `user`'s session, for tests whose
    subject is not the login (staff made by `make_agent` have the TOTP device they need).

    Make every page before the first one loads on Django's live server: creating the session is
    a write, and the shared in-memory SQLite database refuses it ("database table is locked")
    while the server reads the session table for an open page's requests."""

    def make(base: str, user: Any) -> Any:
        client = Client()
        client.force_login(user)
        page = new_page()
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
        )
        return page

    return make


@pytest.fixture
def make_customer() -> Callable[[str], Any]:
    def make(email: str) -> Any:
        return create_user(email=email, password=CUSTOMER_PASSWORD)

    return make


@pytest.fixture
def file_ticket() -> Callable[..., Ticket]:
    """`file_ticket(customer, subject=..., ...)`: a ticket as the customer's message makes it,
    through intake; by default a deposit problem in Japanese, routed to the payments group."""

    def make(customer: Any, **changes: Any) -> Ticket:
        values: dict[str, Any] = {
            "channel": "web",
            "subject": "BTCの入金が反映されません",
            "body": "昨日BTCを送金しましたが、まだ反映されていません。",
            "sender_email": customer.email,
            "customer_id": customer.pk,
            "email_verified": True,
            "problem_type": "deposit",
            "fields": {"coin": "BTC", "network": "BTC", "amount": "0.5"},
            "language": "ja",
        }
        values.update(changes)
        outcome = intake.receive(InboundMessage(**values))
        assert outcome.outcome == "created", outcome
        return Ticket.objects.get(pk=outcome.ticket_id)

    return make


@dataclass(frozen=True)
class Desk:
    """Django's live server with a customer and an agent of the payments group."""

    base: str
    customer: Any
    agent: Any


@pytest.fixture
def payments_desk(
    live_server: Any,
    settings: Any,
    make_agent: Callable[..., Agent],
    make_customer: Callable[[str], Any],
) -> Desk:
    """The live server's address is also the site's base URL (absolute links in replies)."""
    settings.MADOGUCHI_BASE_URL = live_server.url
    return Desk(
        base=live_server.url,
        customer=make_customer("hanako@example.com"),
        agent=make_agent("sato@tsukimi.example", group="payments").user,
    )


# --- The ASGI live server -----------------------------------------------------------------------


class AsgiLiveServer:
    """uvicorn serving madoguchi's ASGI application on 127.0.0.1, in a thread.

    Django's live server speaks WSGI only; this serves `madoguchi.asgi.application`'s WebSocket
    routes (pages through a2wsgi, as `madoguchi serve` does) on a free port in a thread of the
    test process, so it reaches the test database and the in-memory channel layer.
    """

    def __init__(self) -> None:
        from madoguchi.asgi import application

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

    def start(self, monkeypatch: pytest.MonkeyPatch) -> None:
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
def asgi_server(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[AsgiLiveServer]:
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    server = AsgiLiveServer()
    server.start(monkeypatch)
    try:
        yield server
    finally:
        server.stop()
