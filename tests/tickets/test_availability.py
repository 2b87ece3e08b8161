"""The console header's "Away / Back" switch: the signed-in agent's own availability, by POST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from madoguchi.tickets import services
from madoguchi.tickets.models import AgentAvailability
from madoguchi.tickets.routing.assignment import is_away

pytestmark = pytest.mark.django_db

SWITCH = "/en/agent/availability/"
QUEUE = "/en/agent/tickets/"
Login = Callable[[Any], Client]


def test_an_agent_sets_themselves_away_and_back_from_the_header(
    general_agent: Any, login: Login
) -> None:
    client = login(general_agent)
    page = client.get(QUEUE).content.decode()
    assert 'action="/en/agent/availability/"' in page and "Set me away" in page
    response = client.post(SWITCH, {"away": "1", "next": QUEUE})
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert is_away(general_agent)
    page = client.get(QUEUE).content.decode()
    assert "You are away: new tickets go to the others." in page
    assert "I&#x27;m back" in page or "I'm back" in page
    client.post(SWITCH, {"away": "0", "next": QUEUE})
    assert not is_away(general_agent)


def test_the_switch_names_nobody_else_and_leads_only_to_this_site(
    general_agent: Any, payments_agent: Any, login: Login
) -> None:
    client = login(general_agent)
    response = client.post(
        SWITCH, {"away": "1", "agent": str(payments_agent.pk), "next": "https://evil.example/"}
    )
    assert response["Location"] == QUEUE
    assert is_away(general_agent) and not is_away(payments_agent)


def test_only_agents_may_switch_and_only_by_post(
    customer: Any, general_agent: Any, login: Login
) -> None:
    assert login(customer).post(SWITCH, {"away": "1"}).status_code == 404
    assert login(None).post(SWITCH, {"away": "1"}).status_code == 302
    assert login(general_agent).get(SWITCH).status_code == 405
    assert not AgentAvailability.objects.exists()


def test_the_switch_needs_the_csrf_token(general_agent: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(general_agent)
    assert client.post(SWITCH, {"away": "1"}).status_code == 403
    assert not is_away(general_agent)


def test_the_header_reads_the_availability_once_and_sees_a_change_at_once(
    general_agent: Any, login: Login
) -> None:
    client = login(general_agent)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(QUEUE).content.decode()
    assert not [q for q in queries.captured_queries if "agentavailability" in q["sql"]]
    assert "Set me away" in page
    # An admin's change goes through the same service, which drops the header's copy.
    services.set_availability(agent=general_agent, away=True)
    assert "Set me away" not in client.get(QUEUE).content.decode()
