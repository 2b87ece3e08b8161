"""The admin of routing: rules in their order, refused in words when a value is unknown; who is
away; a group's assignment and reply option."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from madoguchi.tickets.models import (
    AgentAvailability,
    ProblemType,
    RoutingRule,
    SupportGroup,
)

pytestmark = pytest.mark.django_db

ADMIN = "/en/admin/tickets"
Login = Callable[[Any], Client]


@pytest.fixture
def admin_client(admin_user: Any, login: Login) -> Client:
    return login(admin_user)


def rule_post(**changes: Any) -> dict[str, Any]:
    """The add form of a rule as a browser sends it: English deposits to general, tagged."""
    data: dict[str, Any] = {
        "name": "English desk",
        "position": "10",
        "is_active": "on",
        "problem_types": [str(ProblemType.objects.get(slug="deposit").pk)],
        "languages": ["en"],
        "channels": ["web", "email"],
        "priorities": [],
        "customer_tiers": "VIP, pro , VIP",
        "tags": "",
        "set_group": str(SupportGroup.objects.get(slug="general").pk),
        "set_priority": "",
        "add_tags": "English, desk",
        "set_assignee": "",
        "stop": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_an_admin_writes_a_rule_with_ticked_conditions_and_typed_words(
    admin_client: Client,
) -> None:
    assert admin_client.get(f"{ADMIN}/routingrule/add/").status_code == 200
    response = admin_client.post(f"{ADMIN}/routingrule/add/", rule_post())
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = RoutingRule.objects.get()
    assert rule.languages == ["en"]
    assert rule.channels == ["web", "email"]
    assert rule.customer_tiers == ["VIP", "pro"]
    assert rule.add_tags == ["english", "desk"]
    assert [p.slug for p in rule.problem_types.all()] == ["deposit"]
    page = admin_client.get(f"{ADMIN}/routingrule/{rule.pk}/change/").content.decode()
    assert 'value="VIP, pro"' in page


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"languages": ["fr"]}, "“fr” is not a language madoguchi knows"),
        ({"channels": ["fax"]}, "“fax” is not a channel"),
        ({"priorities": ["asap"]}, "“asap” is not a priority"),
        ({"add_tags": "two words"}, "“two words” is not a tag"),
        ({"tags": "x" * 51}, "is not a tag"),
        ({"customer_tiers": "t" * 51}, "is too long for a tier"),
        (
            {"set_group": "", "add_tags": "", "set_priority": ""},
            "This rule changes nothing",
        ),
        ({"set_priority": "asap"}, "Select a valid choice"),
    ],
)
def test_a_rule_with_an_unknown_value_is_refused_in_words(
    admin_client: Client, changes: dict[str, Any], refusal: str
) -> None:
    response = admin_client.post(f"{ADMIN}/routingrule/add/", rule_post(**changes))
    assert response.status_code == 200
    assert refusal in response.content.decode()
    assert not RoutingRule.objects.exists()


def test_a_rules_assignee_must_be_an_agent_of_the_group_it_moves_to(
    admin_client: Client, payments_agent: Any, general_agent: Any, customer: Any
) -> None:
    response = admin_client.post(
        f"{ADMIN}/routingrule/add/", rule_post(set_assignee=str(payments_agent.pk))
    )
    assert response.status_code == 200
    assert f"{payments_agent.email} is not a member of the group" in response.content.decode()
    refused = admin_client.post(
        f"{ADMIN}/routingrule/add/", rule_post(set_assignee=str(customer.pk))
    )
    assert refused.status_code == 200 and not RoutingRule.objects.exists()
    accepted = admin_client.post(
        f"{ADMIN}/routingrule/add/", rule_post(set_assignee=str(general_agent.pk))
    )
    assert accepted.status_code == 302
    assert RoutingRule.objects.get().set_assignee == general_agent


def test_the_rules_are_listed_in_the_order_they_run(admin_client: Client) -> None:
    general = SupportGroup.objects.get(slug="general")
    RoutingRule.objects.create(name="Runs second", position=2, set_group=general)
    RoutingRule.objects.create(name="Runs first", position=1, set_group=general)
    page = admin_client.get(f"{ADMIN}/routingrule/").content.decode()
    assert page.index("Runs first") < page.index("Runs second")


def test_an_admin_marks_an_agent_away_through_the_service(
    admin_client: Client, general_agent: Any
) -> None:
    response = admin_client.post(
        f"{ADMIN}/agentavailability/add/",
        {"agent": str(general_agent.pk), "is_away": "on", "away_until_0": "", "away_until_1": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    availability = AgentAvailability.objects.get(agent=general_agent)
    assert availability.is_away and availability.away_until is None


def test_a_groups_assignment_and_reply_option_are_set_in_the_admin(
    admin_client: Client, general_agent: Any
) -> None:
    general = SupportGroup.objects.get(slug="general")
    page = admin_client.get(f"{ADMIN}/supportgroup/{general.pk}/change/").content.decode()
    assert 'name="assignment"' in page and 'name="only_assignee_replies"' in page
    response = admin_client.post(
        f"{ADMIN}/supportgroup/{general.pk}/change/",
        {
            "slug": "general",
            "name_ja": general.name_ja,
            "name_en": general.name_en,
            "assignment": "round_robin",
            "only_assignee_replies": "on",
            "members": [str(general_agent.pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    general.refresh_from_db()
    assert general.assignment == "round_robin" and general.only_assignee_replies


def test_an_admin_brings_an_away_agent_back_and_cannot_swap_the_agent(
    admin_client: Client, general_agent: Any, payments_agent: Any
) -> None:
    from madoguchi.tickets import services

    row = services.set_availability(agent=general_agent, away=True)
    url = f"{ADMIN}/agentavailability/{row.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url, {"agent": str(payments_agent.pk), "away_until_0": "", "away_until_1": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert row.agent == general_agent and not row.is_away
    assert not AgentAvailability.objects.filter(agent=payments_agent).exists()
