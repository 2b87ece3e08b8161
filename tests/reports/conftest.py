"""A known set of tickets for the report tests, built through intake and the ticket services.

The services stamp the current time and nothing here can move the clock, so each ticket is
made first and then given its moments (created, answered, solved, rated, due) in the first
ten days of November 2026, Japan time, where the report tests look.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from madoguchi.support.deflection import record_deflection
from madoguchi.support.models import Deflection
from madoguchi.tickets.models import ProblemType, Ticket
from madoguchi.tickets.services import add_agent_reply, assign_ticket, change_status, rate_ticket
from tests.tickets import conftest as ticket_fixtures

# The ticket tests' people and tickets, shared rather than written twice.
default_language = ticket_fixtures.default_language
make_agent = ticket_fixtures.make_agent
payments_agent = ticket_fixtures.payments_agent
general_agent = ticket_fixtures.general_agent
admin_user = ticket_fixtures.admin_user
customer = ticket_fixtures.customer
login = ticket_fixtures.login
make_ticket = ticket_fixtures.make_ticket

TOKYO = ZoneInfo("Asia/Tokyo")
PERIOD = {"from": "2026-11-01", "to": "2026-11-10"}


def jst(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TOKYO)


def set_moments(ticket: Ticket, **moments: Any) -> None:
    """Give `ticket` its moments in November (the one write a test makes past the services)."""
    Ticket.objects.filter(pk=ticket.pk).update(**moments)


@dataclass
class Desk:
    """The known tickets: t1, t2 of payments; t3, t4 of general; t5 solved in the period but
    created before it; and the agents who answered them."""

    tickets: dict[str, Ticket]
    pay: Any
    general: Any


@pytest.fixture
def desk(
    make_ticket: Callable[..., Ticket],
    payments_agent: Any,
    general_agent: Any,
    admin_user: Any,
) -> Desk:
    def answered(
        ticket: Ticket, agent: Any, *, solved: bool = False, rating: int | None = None
    ) -> Ticket:
        assign_ticket(ticket=ticket, assignee=agent, by=admin_user)
        add_agent_reply(ticket=ticket, body="確認いたします。", by=agent)
        if solved:
            change_status(ticket=ticket, status="solved", by=agent)
        if rating is not None:
            rate_ticket(ticket=ticket, rating=rating, by=ticket.customer)
        return ticket

    t1 = answered(make_ticket(subject="入金1"), payments_agent, solved=True, rating=5)
    set_moments(
        t1,
        created_at=jst(2, 10),
        first_response_due_at=jst(2, 13),
        first_response_at=jst(2, 12),  # 2 h, met
        resolution_due_at=jst(4, 10),
        solved_at=jst(3, 10),  # 24 h, met
        csat_at=jst(3, 11),
        sla_breached=[],
    )
    t2 = answered(
        make_ticket(subject="出金2", channel="email", problem_type="withdrawal", fields={}),
        payments_agent,
        solved=True,
        rating=2,
    )
    set_moments(
        t2,
        created_at=jst(2, 9),
        first_response_due_at=jst(2, 11),
        first_response_at=jst(2, 15),  # 6 h, missed
        resolution_due_at=jst(4, 9),
        solved_at=jst(5, 9),  # 72 h, missed
        csat_at=jst(5, 10),
        sla_breached=["first_response", "resolution"],
    )
    t3 = answered(
        make_ticket(
            subject="その他3",
            problem_type="other",
            fields={},
            suggestions_shown=("/ja/articles/fees/",),
            suggestions_opened=("/ja/articles/fees/",),
        ),
        general_agent,
    )
    set_moments(
        t3,
        created_at=jst(4, 9),
        first_response_due_at=jst(4, 12),
        first_response_at=jst(4, 10),  # 1 h, met
        resolution_due_at=jst(30, 9),  # not due yet in the period: not judged
    )
    t4 = make_ticket(subject="ログイン4", channel="chat", problem_type="other", fields={})
    set_moments(
        t4,
        created_at=jst(5, 9),
        first_response_due_at=jst(5, 10),  # never answered: missed when the due time passed
        first_response_at=None,
        resolution_due_at=None,
        sla_breached=[],
    )
    t5 = answered(make_ticket(subject="入金5"), payments_agent, solved=True)
    set_moments(
        t5,
        created_at=jst(30, 10, month=10),  # before the period
        first_response_at=jst(30, 11, month=10),
        first_response_due_at=None,
        resolution_due_at=None,
        solved_at=jst(6, 10),  # 168 h, in the period
    )
    deposit = ProblemType.objects.get(slug="deposit")
    other = ProblemType.objects.get(slug="other")
    for problem_type, when in ((deposit, jst(3, 9)), (deposit, jst(8, 9)), (other, jst(9, 9))):
        deflection = record_deflection(
            problem_type=problem_type, article="/ja/articles/fees/", language="ja"
        )
        Deflection.objects.filter(pk=deflection.pk).update(created_at=when)
    outside = record_deflection(problem_type=deposit, article="/ja/articles/fees/", language="ja")
    Deflection.objects.filter(pk=outside.pk).update(created_at=jst(20, 9, month=10))
    return Desk(
        tickets={"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5},
        pay=payments_agent,
        general=general_agent,
    )
