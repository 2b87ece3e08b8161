"""People for the customer pages: signed-in customers, a visitor, an agent with 2FA."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from madoguchi.accounts.services import create_user
from madoguchi.tickets.models import SupportGroup


@pytest.fixture
def customer(db: None) -> Any:
    return create_user(email="hanako@example.jp", password="a-long-customer-password")


@pytest.fixture
def other_customer(db: None) -> Any:
    return create_user(email="jiro@example.jp", password="a-long-customer-password")


@pytest.fixture
def customer_client(customer: Any) -> Client:
    client = Client()
    client.force_login(customer)
    return client


@pytest.fixture
def visitor_client(db: None) -> Client:
    return Client()


@pytest.fixture
def agent(db: None) -> Any:
    """An agent of every seeded group, enrolled in TOTP as the staff middleware requires."""
    user = create_user(
        email="agent@tsukimi.example", password="a-long-agent-password", role="agent"
    )
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    for group in SupportGroup.objects.all():
        group.members.add(user)
    return user


@pytest.fixture
def agent_client(agent: Any) -> Client:
    client = Client()
    client.force_login(agent)
    return client
