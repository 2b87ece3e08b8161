"""Routing rules: evaluated in order against a ticket's facts; security problems stay where they
belong; the process's copy of the rules is read again once an admin's change commits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from madoguchi.tickets.models import ProblemType, RoutingRule, SupportGroup
from madoguchi.tickets.routing import rules
from madoguchi.tickets.routing.rules import TicketFacts, decide, routing_table

pytestmark = pytest.mark.django_db

DEPOSIT_IN_ENGLISH = TicketFacts(
    problem_type="deposit", language="en", channel="web", priority="normal", tier="vip"
)


def rule(name: str, position: int, **values: Any) -> RoutingRule:
    problem_types = values.pop("problem_types", ())
    created = RoutingRule.objects.create(name=name, position=position, **values)
    if problem_types:
        created.problem_types.set(ProblemType.objects.filter(slug__in=problem_types))
    return created


def group(slug: str) -> SupportGroup:
    return SupportGroup.objects.get(slug=slug)


def test_with_no_rules_nothing_is_decided() -> None:
    decision = decide(DEPOSIT_IN_ENGLISH)
    assert decision.group is None and decision.priority == "" and decision.applied == ()


def test_a_rule_without_conditions_applies_to_every_ticket() -> None:
    rule("Tag everything", 1, add_tags=["seen"])
    decision = decide(TicketFacts(problem_type="other", language="ja", channel="email"))
    assert decision.tags == ("seen",)
    assert decision.rule_names == ("Tag everything",)


def test_every_condition_that_is_set_must_hold_and_a_list_matches_any_of_its_values() -> None:
    rule(
        "English VIP deposits",
        1,
        problem_types=("deposit", "withdrawal"),
        languages=["en"],
        channels=["web", "api"],
        priorities=["normal", "high"],
        customer_tiers=["vip", "pro"],
        set_priority="high",
    )
    assert decide(DEPOSIT_IN_ENGLISH).priority == "high"
    for other in (
        TicketFacts(problem_type="login", language="en", channel="web", tier="vip"),
        TicketFacts(problem_type="deposit", language="ja", channel="web", tier="vip"),
        TicketFacts(problem_type="deposit", language="en", channel="email", tier="vip"),
        TicketFacts(problem_type="deposit", language="en", channel="web", priority="low"),
        TicketFacts(problem_type="deposit", language="en", channel="web", tier="basic"),
        TicketFacts(problem_type="deposit", language="en", channel="web", tier=""),
    ):
        assert decide(other).applied == (), other


def test_rules_run_in_their_order_and_a_stopping_rule_ends_the_walk() -> None:
    rule("Second", 2, set_group=group("general"), add_tags=["second"])
    rule("First", 1, set_group=group("payments"), add_tags=["first"], stop=True)
    decision = decide(DEPOSIT_IN_ENGLISH)
    assert decision.rule_names == ("First",)
    assert decision.group is not None and decision.group.slug == "payments"
    assert decision.tags == ("first",)


def test_a_rule_that_does_not_stop_lets_later_rules_apply_and_see_its_tags() -> None:
    rule("English", 1, languages=["en"], add_tags=["english"], stop=False)
    rule("English desk", 2, tags=["english"], set_group=group("general"), stop=False)
    rule("Later wins the priority", 3, set_priority="high", stop=False)
    rule("Not for English", 4, tags=["japanese"], set_priority="low")
    decision = decide(DEPOSIT_IN_ENGLISH)
    assert decision.rule_names == ("English", "English desk", "Later wins the priority")
    assert decision.group is not None and decision.group.slug == "general"
    assert (decision.priority, decision.tags) == ("high", ("english",))


def test_a_later_rule_sees_the_priority_an_earlier_rule_set() -> None:
    rule("VIP is high", 1, customer_tiers=["vip"], set_priority="high", stop=False)
    rule("High goes to payments", 2, priorities=["high"], set_group=group("payments"))
    decision = decide(DEPOSIT_IN_ENGLISH)
    assert decision.group is not None and decision.group.slug == "payments"


def test_an_inactive_rule_is_skipped() -> None:
    rule("Off", 1, is_active=False, set_priority="low")
    assert decide(DEPOSIT_IN_ENGLISH).applied == ()


def test_a_rule_names_its_assignee(payments_agent: Any) -> None:
    rule("To the payments agent", 1, set_assignee=payments_agent)
    decision = decide(DEPOSIT_IN_ENGLISH)
    assert decision.assignee_id == payments_agent.pk
    assert dict(decision.applied[0].changes) == {"assignee": payments_agent.pk}


@pytest.mark.parametrize("problem", ["takeover", "unauthorized_withdrawal", "lost_2fa"])
def test_a_rule_never_moves_a_security_problem_out_of_the_security_group_nor_lowers_it(
    problem: str,
) -> None:
    rule(
        "Everything to general, low",
        1,
        set_group=group("general"),
        set_priority="low",
        add_tags=["triaged"],
    )
    facts = TicketFacts(problem_type=problem, priority="urgent", security=True)
    decision = decide(facts)
    assert decision.group is None and decision.priority == ""
    assert decision.tags == ("triaged",)
    (applied,) = decision.applied
    assert applied.kept == ("group", "priority")
    assert dict(applied.changes) == {"tags": ["triaged"]}


def test_a_rule_may_send_a_security_problem_to_a_group_that_handles_security() -> None:
    rule("To security", 1, set_group=group("security"))
    decision = decide(TicketFacts(problem_type="takeover", priority="urgent", security=True))
    assert decision.group is not None and decision.group.slug == "security"


def test_a_rule_row_with_values_written_outside_the_admin_does_not_break_routing() -> None:
    rule("Odd", 1, languages="en", tags=[None, 3, " Mixed "], add_tags=["", "Ok"])
    decision = decide(TicketFacts(language="en", tags=frozenset({"mixed"})))
    assert decision.tags == ("ok",)


# --- The process's copy ---------------------------------------------------------------------


@pytest.fixture
def cached() -> Iterator[None]:
    rules._table = None
    cache.delete(rules.VERSION_KEY)
    with override_settings(MADOGUCHI_ROUTING_CACHE_SECONDS=60):
        yield
    rules._table = None


def test_the_rules_and_groups_are_read_from_the_database_once(cached: None) -> None:
    rule("English", 1, languages=["en"], problem_types=("deposit",), add_tags=["english"])
    first = routing_table()
    assert [r.name for r in first.rules] == ["English"]
    with CaptureQueriesContext(connection) as queries:
        decision = decide(DEPOSIT_IN_ENGLISH)
        security = routing_table().security_group()
    assert len(queries) == 0
    assert decision.tags == ("english",)
    assert security is not None and security.slug == "security"


def test_an_admins_change_is_seen_once_it_has_committed(
    cached: None, django_capture_on_commit_callbacks: Any
) -> None:
    assert routing_table().rules == ()
    with django_capture_on_commit_callbacks() as committed:
        created = rule("VIP", 1, customer_tiers=["vip"], set_priority="high")
    # Not committed yet: the copy read before the change still serves.
    assert decide(DEPOSIT_IN_ENGLISH).applied == ()
    for callback in committed:
        callback()
    assert decide(DEPOSIT_IN_ENGLISH).priority == "high"
    with django_capture_on_commit_callbacks(execute=True):
        created.problem_types.set(ProblemType.objects.filter(slug="login"))
    assert decide(DEPOSIT_IN_ENGLISH).applied == ()
    with django_capture_on_commit_callbacks(execute=True):
        created.delete()
    assert routing_table().rules == ()


def test_a_groups_changed_assignment_is_seen_once_it_has_committed(
    cached: None, django_capture_on_commit_callbacks: Any
) -> None:
    general = group("general")
    assert routing_table().group(general.pk).assignment == "manual"  # type: ignore[union-attr]
    with django_capture_on_commit_callbacks(execute=True):
        general.assignment = "round_robin"
        general.save()
    assert routing_table().group(general.pk).assignment == "round_robin"  # type: ignore[union-attr]


def test_the_ticket_page_names_the_rules_that_applied(
    make_ticket: Any, payments_agent: Any, login: Any
) -> None:
    rule("Deposits <first>", 1, problem_types=("deposit",), add_tags=["deposit"])
    ticket = make_ticket()
    page = login(payments_agent).get(f"/en/agent/tickets/{ticket.pk}/").content.decode()
    assert "Routing rule applied" in page
    assert "Deposits &lt;first&gt;" in page
