"""The agent's queues: mine, my groups, unassigned, breaching soon; paging without counting;
the customer's earlier tickets beside a ticket; a few queries whatever the number of tickets."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from madoguchi.tickets import services
from madoguchi.tickets.forms import QueueFilterForm
from madoguchi.tickets.models import Priority, Status, Ticket
from madoguchi.tickets.views.agent.access import groups_of

MakeTicket = Callable[..., Ticket]
Login = Callable[[Any], Client]
QUEUE = "/en/agent/tickets/"


def ids(response: Any) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-ticket="(\d+)"', response.content.decode())]


def tab_count(response: Any, label: str) -> str:
    html = response.content.decode()
    found = re.search(rf">{label} <span class=\"badge\">([^<]+)</span>", html)
    return found.group(1) if found else ""


def test_the_tabs_lead_to_mine_unassigned_and_breaching_soon(
    payments_agent: Any, make_agent: Callable[..., Any], make_ticket: MakeTicket, login: Login
) -> None:
    colleague = make_agent("colleague", groups=("payments",))
    mine = make_ticket(subject="mine")
    theirs = make_ticket(subject="theirs")
    nobodys = make_ticket(subject="nobody's")
    services.assign_ticket(ticket=mine, assignee=payments_agent, by=payments_agent)
    services.assign_ticket(ticket=theirs, assignee=colleague, by=colleague)
    now = timezone.now()
    Ticket.objects.filter(pk=nobodys.pk).update(first_response_due_at=now + timedelta(minutes=30))
    Ticket.objects.exclude(pk=nobodys.pk).update(first_response_due_at=now + timedelta(days=3))
    client = login(payments_agent)

    page = client.get(QUEUE)
    assert set(ids(page)) == {mine.pk, theirs.pk, nobodys.pk}
    assert tab_count(page, "Mine") == "1"
    assert tab_count(page, "Unassigned") == "1"
    assert tab_count(page, "Breaching soon") == "1"
    assert 'href="/en/agent/tickets/?assigned=me"' in page.content.decode()
    assert ids(client.get(QUEUE, {"assigned": "me"})) == [mine.pk]
    assert ids(client.get(QUEUE, {"assigned": "unassigned"})) == [nobodys.pk]
    assert ids(client.get(QUEUE, {"due": "soon"})) == [nobodys.pk]
    assert 'aria-current="page"' in client.get(QUEUE, {"due": "soon"}).content.decode()


def test_breaching_soon_puts_the_most_overdue_first_and_skips_pending_tickets(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    overdue = make_ticket(subject="overdue")
    soon = make_ticket(subject="soon")
    waiting = make_ticket(subject="waiting for the customer")
    later = make_ticket(subject="later")
    now = timezone.now()
    Ticket.objects.filter(pk=overdue.pk).update(first_response_due_at=now - timedelta(hours=1))
    Ticket.objects.filter(pk=soon.pk).update(first_response_due_at=now + timedelta(minutes=20))
    Ticket.objects.filter(pk=waiting.pk).update(
        first_response_due_at=now - timedelta(hours=2), status=Status.PENDING
    )
    Ticket.objects.filter(pk=later.pk).update(first_response_due_at=now + timedelta(days=2))
    assert ids(login(payments_agent).get(QUEUE, {"due": "soon"})) == [overdue.pk, soon.pk]


def test_the_queue_filters_by_priority(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    make_ticket(subject="normal")
    urgent = make_ticket(subject="urgent")
    services.change_priority(ticket=urgent, priority=Priority.URGENT, by=payments_agent)
    assert ids(login(payments_agent).get(QUEUE, {"priority": "urgent"})) == [urgent.pk]


def test_the_queue_pages_with_next_links_and_never_counts_every_ticket(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    for number in range(52):
        make_ticket(subject=f"ticket {number}", body=f"本文 {number}")
    client = login(payments_agent)
    first = client.get(QUEUE)
    html = first.content.decode()
    assert len(ids(first)) == 50
    assert 'rel="next"' in html and 'rel="prev"' not in html
    assert " of " not in re.sub(r"<[^>]+>", "", html.split('class="pagination"')[1])[:80]
    second = client.get(QUEUE, {"page": "2"})
    assert len(ids(second)) == 2
    assert 'rel="next"' not in second.content.decode()
    assert not set(ids(first)) & set(ids(second))
    # A count that would pass 99 is shown as 99+.
    assert tab_count(first, "Unassigned") == "52"


def test_a_count_stops_at_99_plus(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()
    # Copies of one ticket are enough to count; the page shows 50 of them.
    Ticket.objects.bulk_create(
        [
            Ticket(
                subject=f"copy {number}",
                group_id=ticket.group_id,
                requester_email=ticket.requester_email,
                email_confirmed_at=ticket.email_confirmed_at,
                reply_token=f"copy{number}",
            )
            for number in range(120)
        ]
    )
    assert tab_count(login(payments_agent).get(QUEUE), "Unassigned") == "99+"


@pytest.mark.parametrize(
    "tab", [{}, {"assigned": "me"}, {"assigned": "unassigned"}, {"due": "soon"}, {"status": "all"}]
)
def test_every_queue_takes_the_same_few_queries_for_many_tickets(
    tab: dict[str, str],
    make_agent: Callable[..., Any],
    make_ticket: MakeTicket,
    login: Login,
    django_assert_max_num_queries: Any,
) -> None:
    agent = make_agent("busy", groups=("payments", "general"))
    now = timezone.now()
    for number in range(30):
        ticket = make_ticket(subject=f"ticket {number}")
        if number % 2:
            services.assign_ticket(ticket=ticket, assignee=agent, by=agent)
    Ticket.objects.update(first_response_due_at=now + timedelta(minutes=10))
    client = login(agent)
    client.get(QUEUE, tab)
    with django_assert_max_num_queries(10):
        response = client.get(QUEUE, tab)
    assert len(ids(response)) >= 15


def test_another_groups_tickets_are_in_no_queue(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    theirs = make_ticket(problem_type="login", subject="ログインできません", fields={})
    client = login(payments_agent)
    for tab in ({}, {"assigned": "unassigned"}, {"due": "soon"}, {"status": "all"}):
        assert theirs.pk not in ids(client.get(QUEUE, tab))


def test_rows_carry_what_keyboard_shortcuts_select(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    make_ticket()
    html = login(payments_agent).get(QUEUE).content.decode()
    assert "data-queue-row" in html
    assert "data-queue-link" in html


# ---- the customer's earlier tickets ------------------------------------------------------


def test_the_ticket_page_lists_the_customers_earlier_tickets_that_the_agent_may_open(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    older = make_ticket(subject="先月の入金")
    other_group = make_ticket(problem_type="login", subject="ログインの件", fields={})
    current = make_ticket(subject="今日の入金")
    html = login(payments_agent).get(f"/en/agent/tickets/{current.pk}/").content.decode()
    panel = html.split('id="earlier-tickets"')[1].split("</section>")[0]
    assert f'data-earlier-ticket="{older.pk}"' in panel
    assert f'data-earlier-ticket="{current.pk}"' not in panel
    assert f'data-earlier-ticket="{other_group.pk}"' not in panel
    assert "ログインの件" not in panel


def test_earlier_tickets_are_found_by_email_for_a_visitor(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    first = make_ticket(customer_id=None, sender_email="taro@example.jp", subject="一回目")
    second = make_ticket(customer_id=None, sender_email="taro@example.jp", subject="二回目")
    Ticket.objects.filter(pk__in=[first.pk, second.pk]).update(email_confirmed_at=timezone.now())
    html = login(payments_agent).get(f"/en/agent/tickets/{second.pk}/").content.decode()
    assert f'data-earlier-ticket="{first.pk}"' in html


def test_the_earlier_tickets_panel_is_bounded(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    for number in range(12):
        make_ticket(subject=f"過去 {number}")
    current = make_ticket(subject="今回")
    html = login(payments_agent).get(f"/en/agent/tickets/{current.pk}/").content.decode()
    assert html.count("data-earlier-ticket=") == 10


def test_a_list_with_finished_tickets_shows_the_newest_first(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    older = make_ticket(subject="older")
    newer = make_ticket(subject="newer")
    services.change_status(ticket=older, status=Status.SOLVED, by=payments_agent)
    client = login(payments_agent)
    assert ids(client.get(QUEUE, {"status": "all"})) == [newer.pk, older.pk]
    assert ids(client.get(QUEUE, {"status": "solved"})) == [older.pk]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"status": "open", "group": "payments", "assigned": "me"},
        {"status": "bogus", "priority": 'x<y>"', "due": "soon", "group": "nope"},
    ],
)
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_filter_selects_are_written_as_djangos_widgets_write_them(
    payments_agent: Any, data: dict[str, str] | None, language: str
) -> None:
    groups = list(groups_of(payments_agent))
    with translation.override(language):
        form = QueueFilterForm(data, groups=groups)
        form.saved_filters()
        expected = [f"{form[name].label_tag()} {form[name]}" for name in form.fields]
        assert form.fields_html() == expected
