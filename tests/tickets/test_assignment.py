"""Automatic assignment inside a group: round robin and least busy, skipping whoever is away,
deactivated or not an agent; agents saying they are away; two tickets at once on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from madoguchi.accounts.services import create_user
from madoguchi.tickets import services
from madoguchi.tickets.models import (
    AgentAvailability,
    Assignment,
    EventKind,
    Status,
    SupportGroup,
    Ticket,
)
from madoguchi.tickets.routing.assignment import is_away, pick_agent

pytestmark = pytest.mark.django_db


def general(assignment: str) -> SupportGroup:
    group = SupportGroup.objects.get(slug="general")
    SupportGroup.objects.filter(pk=group.pk).update(assignment=assignment)
    group.refresh_from_db()
    return group


@pytest.fixture
def three_agents(make_agent: Callable[..., Any]) -> list[Any]:
    return [make_agent(name, groups=("general",)) for name in ("aoi", "ren", "sora")]


@pytest.fixture
def unassigned(make_ticket: Callable[..., Ticket]) -> Callable[[], Ticket]:
    """A new ticket of the general group nobody has yet."""

    def make() -> Ticket:
        # Made while the group is assigned by hand, so intake leaves it to the test.
        groups = SupportGroup.objects.filter(slug="general")
        mode = groups.values_list("assignment", flat=True).get()
        groups.update(assignment=Assignment.MANUAL)
        ticket = make_ticket(
            problem_type="other", subject="質問", body=f"質問です {timezone.now()}"
        )
        assert ticket.group is not None and ticket.group.slug == "general"
        assert ticket.assignee_id is None
        groups.update(assignment=mode)
        return ticket

    return make


def assign(ticket: Ticket, group: SupportGroup, preferred_id: int | None = None) -> Any:
    group.refresh_from_db()
    return services.auto_assign(ticket=ticket, group=group, preferred_id=preferred_id)


def test_round_robin_gives_tickets_out_in_turn_and_starts_over(
    three_agents: list[Any], unassigned: Callable[[], Ticket]
) -> None:
    group = general(Assignment.ROUND_ROBIN)
    given = [assign(unassigned(), group) for _ in range(4)]
    assert given == [*three_agents, three_agents[0]]
    group.refresh_from_db()
    assert group.last_assigned == three_agents[0]


def test_the_assignment_is_written_to_the_ticket_and_its_history(
    three_agents: list[Any], unassigned: Callable[[], Ticket]
) -> None:
    ticket = unassigned()
    assign(ticket, general(Assignment.ROUND_ROBIN))
    ticket.refresh_from_db()
    assert ticket.assignee == three_agents[0]
    event = ticket.events.filter(kind=EventKind.ASSIGNED).get()
    assert event.data == {
        "old": None,
        "new": three_agents[0].pk,
        "assignee": three_agents[0].email,
        "reason": "round_robin",
    }


def test_round_robin_skips_agents_who_are_away_deactivated_or_not_agents(
    three_agents: list[Any], unassigned: Callable[[], Ticket], customer: Any
) -> None:
    aoi, ren, sora = three_agents
    services.set_availability(agent=aoi, away=True)
    ren.is_active = False
    ren.save(update_fields=["is_active"])
    group = general(Assignment.ROUND_ROBIN)
    group.members.add(customer)
    editor = create_user(email="ed@tsukimi.example", password="x-long-password-1", role="editor")
    group.members.add(editor)
    assert [assign(unassigned(), group) for _ in range(2)] == [sora, sora]


def test_an_agent_away_until_a_time_that_has_passed_is_back(
    three_agents: list[Any], unassigned: Callable[[], Ticket]
) -> None:
    aoi = three_agents[0]
    now = timezone.now()
    services.set_availability(agent=aoi, away=True, until=now + timedelta(hours=2))
    assert is_away(aoi)
    group = general(Assignment.ROUND_ROBIN)
    assert pick_agent(group, now=now) == three_agents[1]
    assert pick_agent(group, now=now + timedelta(hours=3)) == aoi
    assert not is_away(aoi, now=now + timedelta(hours=3))


def test_nobody_gets_a_ticket_when_every_member_is_away(
    three_agents: list[Any], unassigned: Callable[[], Ticket]
) -> None:
    for agent in three_agents:
        services.set_availability(agent=agent, away=True)
    ticket = unassigned()
    assert assign(ticket, general(Assignment.LEAST_BUSY)) is None
    ticket.refresh_from_db()
    assert ticket.assignee is None and not ticket.events.filter(kind=EventKind.ASSIGNED).exists()


def test_least_busy_gives_the_ticket_to_whoever_has_fewest_active_tickets(
    three_agents: list[Any], unassigned: Callable[[], Ticket]
) -> None:
    aoi, ren, sora = three_agents
    manual = general(Assignment.MANUAL)
    for agent, count in ((aoi, 2), (ren, 1)):
        for _ in range(count):
            services.assign_ticket(ticket=unassigned(), assignee=agent, by=agent)
    # Solved work does not count: sora's two solved tickets leave sora the least busy.
    for _ in range(2):
        ticket = unassigned()
        services.assign_ticket(ticket=ticket, assignee=sora, by=sora)
        services.change_status(ticket=ticket, status=Status.SOLVED, by=sora)
    group = general(Assignment.LEAST_BUSY)
    assert manual.pk == group.pk
    assert assign(unassigned(), group) == sora
    # Now ren and sora have one each: the tie goes to the earlier agent, every time.
    assert assign(unassigned(), group) == ren
    assert assign(unassigned(), group) == sora


def test_a_group_assigned_by_hand_gives_nobody_a_ticket_and_asks_nothing(
    three_agents: list[Any], unassigned: Callable[[], Ticket], django_assert_num_queries: Any
) -> None:
    ticket = unassigned()
    group = general(Assignment.MANUAL)
    with django_assert_num_queries(0):
        assert services.auto_assign(ticket=ticket, group=group) is None


def test_a_rules_assignee_gets_the_ticket_unless_away_or_not_in_the_group(
    three_agents: list[Any], unassigned: Callable[[], Ticket], payments_agent: Any
) -> None:
    aoi, _, sora = three_agents
    group = general(Assignment.MANUAL)
    assert assign(unassigned(), group, preferred_id=sora.pk) == sora
    services.set_availability(agent=sora, away=True)
    assert assign(unassigned(), group, preferred_id=sora.pk) is None
    assert assign(unassigned(), group, preferred_id=payments_agent.pk) is None
    # In a round-robin group the group's turn takes over.
    assert assign(unassigned(), general(Assignment.ROUND_ROBIN), preferred_id=sora.pk) == aoi


def test_a_ticket_that_already_has_an_assignee_keeps_it(
    three_agents: list[Any], unassigned: Callable[[], Ticket]
) -> None:
    ticket = unassigned()
    services.assign_ticket(ticket=ticket, assignee=three_agents[2], by=three_agents[2])
    assert assign(ticket, general(Assignment.ROUND_ROBIN)) is None
    ticket.refresh_from_db()
    assert ticket.assignee == three_agents[2]


def test_an_agent_says_they_are_away_and_back(general_agent: Any) -> None:
    until = timezone.now() + timedelta(days=1)
    away = services.set_availability(agent=general_agent, away=True, until=until)
    assert (away.is_away, away.away_until) == (True, until)
    assert is_away(general_agent)
    back = services.set_availability(agent=general_agent, away=False, until=until)
    assert (back.is_away, back.away_until) == (False, None)
    assert not is_away(general_agent)
    assert AgentAvailability.objects.filter(agent=general_agent).count() == 1


def test_a_time_without_a_time_zone_is_refused(general_agent: Any) -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        services.set_availability(
            agent=general_agent, away=True, until=timezone.now().replace(tzinfo=None)
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks: PostgreSQL")
def test_two_tickets_at_the_same_moment_go_to_two_agents(
    make_agent: Callable[..., Any], make_ticket: Callable[..., Ticket]
) -> None:
    """The first assignment holds the group row; the second waits for it and then sees the
    moved cursor. Without the lock the second would read the old cursor and pick the same
    agent (its cursor update would wait, but too late)."""
    first_agent = make_agent("aoi", groups=("general",))
    second_agent = make_agent("ren", groups=("general",))
    group = general(Assignment.ROUND_ROBIN)
    tickets = [
        make_ticket(problem_type="other", subject="質問", body=f"質問 {n}") for n in range(2)
    ]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(assignee=None)
    holding = threading.Event()
    release = threading.Event()
    results: dict[str, Any] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = services.auto_assign(ticket=tickets[0], group=group)
                holding.set()
                release.wait(30)
        finally:
            close_old_connections()
            connection.close()

    def second() -> None:
        try:
            results["second"] = services.auto_assign(ticket=tickets[1], group=group)
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(30)
    two = threading.Thread(target=second)
    two.start()
    # Wait until the second is blocked on a lock, so it really ran while the first held on.
    with connection.cursor() as cursor:
        for _ in range(600):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.05)
        else:
            pytest.fail("the second assignment never waited for the first")
    release.set()
    one.join(30)
    two.join(30)
    assert {results["first"], results["second"]} == {first_agent, second_agent}
