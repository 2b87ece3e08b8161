"""People and tickets for ticket tests: agents with TOTP in the seeded groups, customers, and
tickets made the way customers make them, through `intake.receive`."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import translation
from PIL import Image

from madoguchi import intake
from madoguchi.accounts.services import create_user
from madoguchi.intake.inbound import InboundMessage
from madoguchi.tickets.models import SupportGroup, Ticket


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts in the default language: a request to /en/ leaves English active in
    the thread (LocaleMiddleware never deactivates), which would leak into the next test."""
    yield
    translation.deactivate()


def enrol_totp(user: Any) -> None:
    # Staff must have a second factor; the middleware only lets enrolled staff through.
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})


@pytest.fixture
def make_agent(db: None) -> Callable[..., Any]:
    """`make_agent("name", groups=("payments",), role="agent", totp=True)`."""

    def make(
        name: str,
        *,
        groups: Iterable[str] = (),
        role: str = "agent",
        totp: bool = True,
    ) -> Any:
        user = create_user(
            email=f"{name}@tsukimi.example", password="a-long-staff-password", role=role
        )
        if totp:
            enrol_totp(user)
        for slug in groups:
            SupportGroup.objects.get(slug=slug).members.add(user)
        return user

    return make


@pytest.fixture
def payments_agent(make_agent: Callable[..., Any]) -> Any:
    return make_agent("pay", groups=("payments",))


@pytest.fixture
def general_agent(make_agent: Callable[..., Any]) -> Any:
    return make_agent("general", groups=("general",))


@pytest.fixture
def admin_user(make_agent: Callable[..., Any]) -> Any:
    """An administrator (a superuser) in no group: sees every ticket all the same."""
    return make_agent("admin", role="admin")


@pytest.fixture
def customer(db: None) -> Any:
    return create_user(email="hanako@example.jp", password="a-long-customer-password")


@pytest.fixture
def login(db: None) -> Callable[[Any], Client]:
    """A test client signed in as the given user (no user: a visitor)."""

    def make(user: Any = None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def png_bytes(size: tuple[int, int] = (8, 8), color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def make_ticket(customer: Any) -> Callable[..., Ticket]:
    """A ticket sent through intake; by default a signed-in customer's deposit problem, so it is
    confirmed and routed to the payments group. Keyword arguments change the InboundMessage."""

    def make(**changes: Any) -> Ticket:
        values: dict[str, Any] = {
            "channel": "web",
            "subject": "入金が反映されません",
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
