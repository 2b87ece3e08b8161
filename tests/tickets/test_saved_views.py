"""Saved views: an agent keeps the queue's filters under a name, opens and deletes them; nobody
else sees or deletes them, and a saved filter never shows more than the agent may open."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.test import Client

from madoguchi.tickets import services
from madoguchi.tickets.models import Priority, SavedView, Ticket
from madoguchi.tickets.services.saved_views import save_view

MakeTicket = Callable[..., Ticket]
Login = Callable[[Any], Client]
QUEUE = "/en/agent/tickets/"
SAVE = "/en/agent/views/"


def ids(response: Any) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-ticket="(\d+)"', response.content.decode())]


def test_an_agent_saves_the_current_filters_and_opens_them_as_a_tab(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    make_ticket(subject="normal")
    urgent = make_ticket(subject="urgent")
    services.change_priority(ticket=urgent, priority=Priority.URGENT, by=payments_agent)
    client = login(payments_agent)
    response = client.post(SAVE, {"name": "緊急だけ", "priority": "urgent", "status": "active"})
    view = SavedView.objects.get(owner=payments_agent)
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?view={view.pk}"
    assert view.filters == {"priority": "urgent", "status": "active"}
    page = client.get(QUEUE, {"view": view.pk})
    assert ids(page) == [urgent.pk]
    html = page.content.decode()
    assert "緊急だけ" in html and 'aria-current="page"' in html
    assert f'href="{QUEUE}?view={view.pk}"' in client.get(QUEUE).content.decode()


def test_saving_under_the_same_name_replaces_the_filters(payments_agent: Any, login: Login) -> None:
    client = login(payments_agent)
    client.post(SAVE, {"name": "Mine", "assigned": "me"})
    client.post(SAVE, {"name": " Mine ", "assigned": "unassigned"})
    assert list(SavedView.objects.values_list("name", "filters")) == [
        ("Mine", {"assigned": "unassigned"})
    ]


def test_a_filter_value_that_does_not_fit_is_not_saved(payments_agent: Any, login: Login) -> None:
    login(payments_agent).post(SAVE, {"name": "x", "group": "security", "status": "<script>"})
    assert SavedView.objects.get().filters == {}


def test_a_view_needs_a_name(payments_agent: Any, login: Login) -> None:
    response = login(payments_agent).post(SAVE, {"name": "  ", "assigned": "me"}, follow=True)
    assert not SavedView.objects.exists()
    assert "Please give the view a name." in response.content.decode()


def test_another_agents_view_is_neither_shown_nor_used_nor_deleted(
    payments_agent: Any, general_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()
    theirs = save_view(owner=payments_agent, name="payments view", filters={})
    client = login(general_agent)
    page = client.get(QUEUE, {"view": theirs.pk})
    assert "payments view" not in page.content.decode()
    assert ticket.pk not in ids(page)
    assert client.post(f"/en/agent/views/{theirs.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=theirs.pk).exists()


def test_a_saved_group_filter_shows_nothing_once_the_agent_left_the_group(
    make_agent: Callable[..., Any], make_ticket: MakeTicket, login: Login
) -> None:
    from madoguchi.tickets.models import SupportGroup

    agent = make_agent("mover", groups=("payments", "general"))
    ticket = make_ticket()
    view = save_view(owner=agent, name="payments", filters={"group": "payments"})
    SupportGroup.objects.get(slug="payments").members.remove(agent)
    assert ticket.pk not in ids(login(agent).get(QUEUE, {"view": view.pk}))


def test_an_agent_deletes_their_view(payments_agent: Any, login: Login) -> None:
    view = save_view(owner=payments_agent, name="old", filters={"assigned": "me"})
    response = login(payments_agent).post(f"/en/agent/views/{view.pk}/delete/")
    assert response.status_code == 302
    assert not SavedView.objects.exists()


def test_saving_and_deleting_need_post_and_an_agent(
    payments_agent: Any, customer: Any, login: Login
) -> None:
    view = save_view(owner=payments_agent, name="v", filters={})
    assert login(payments_agent).get(SAVE).status_code == 405
    assert login(customer).post(SAVE, {"name": "x"}).status_code == 404
    assert login(customer).post(f"/en/agent/views/{view.pk}/delete/").status_code == 404
    assert login(None).post(SAVE, {"name": "x"}).status_code == 302


def test_new_views_go_to_the_end_of_the_list(payments_agent: Any) -> None:
    save_view(owner=payments_agent, name="b", filters={})
    save_view(owner=payments_agent, name="a", filters={})
    assert list(SavedView.objects.order_by("position").values_list("name", flat=True)) == [
        "b",
        "a",
    ]


def test_the_queue_with_saved_views_takes_the_same_few_queries(
    payments_agent: Any,
    make_ticket: MakeTicket,
    login: Login,
    django_assert_max_num_queries: Any,
) -> None:
    for number in range(10):
        save_view(owner=payments_agent, name=f"view {number}", filters={"assigned": "me"})
        make_ticket(subject=f"ticket {number}")
    view = SavedView.objects.first()
    assert view is not None
    client = login(payments_agent)
    client.get(QUEUE, {"view": view.pk})
    with django_assert_max_num_queries(10):
        client.get(QUEUE, {"view": view.pk})
