"""People for intake tests: agents in the seeded groups, a signed-in customer."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.accounts.services import create_user
from madoguchi.tickets.models import SupportGroup


@pytest.fixture
def security_agent(db: None) -> Any:
    agent = create_user(email="sec@tsukimi.example", password="a-long-agent-password", role="agent")
    SupportGroup.objects.get(slug="security").members.add(agent)
    return agent


@pytest.fixture
def payments_agent(db: None) -> Any:
    agent = create_user(email="pay@tsukimi.example", password="a-long-agent-password", role="agent")
    SupportGroup.objects.get(slug="payments").members.add(agent)
    return agent


@pytest.fixture
def customer(db: None) -> Any:
    return create_user(email="hanako@example.jp", password="a-long-customer-password")
