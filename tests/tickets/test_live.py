"""Live updates and collision warnings: the ticket room's WebSocket frames and the live view.

The sockets go through the whole ASGI application (origin check, session authentication,
router) with channels' WebsocketCommunicator; the changes are made by the real services and
committed (transactional tests), so the pushes come from `events.record` after commit.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from madoguchi.asgi import application
from madoguchi.tickets import live
from madoguchi.tickets.models import EventKind, SupportGroup, Ticket, TicketEvent
from madoguchi.tickets.services import (
    add_agent_reply,
    add_customer_message,
    add_internal_note,
    change_status,
)
from madoguchi.tickets.views.agent.live import SEQUENCE_HEADER

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "社内メモ: この顧客は以前にも同じ入金の問い合わせあり"
REPLY = "確認いたしました。着金を反映いたしました。"


@pytest.fixture(autouse=True)
def seeded(transactional_db: None) -> Iterator[None]:
    """Groups, problem types and SLA policies from their migrations: the flush after each
    transactional test deletes them. Presence lives in the cache, which outlives a test: each
    test starts with it empty."""
    for name in ("0002_seed_problem_types", "0005_seed_sla_policies"):
        importlib.import_module(f"madoguchi.tickets.migrations.{name}").seed(apps, None)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sato(make_agent: Callable[..., Any]) -> Any:
    agent = make_agent("sato", groups=("payments",))
    agent.first_name = "Sato"
    agent.save(update_fields=["first_name"])
    return agent


@pytest.fixture
def suzuki(make_agent: Callable[..., Any]) -> Any:
    agent = make_agent("suzuki", groups=("payments",))
    agent.first_name = "Suzuki"
    agent.save(update_fields=["first_name"])
    return agent


class WebsocketCommunicator(ApplicationCommunicator):  # type: ignore[misc]
    """A WebSocket client speaking ASGI frames to the application, like channels' own
    (channels.testing cannot be imported without daphne, which this project does not use)."""

    def __init__(self, app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": headers}
        super().__init__(app, scope)

    async def connect(self, timeout: float = 3) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, response.get("subprotocol")

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data: Any) -> None:
        await self.send_to(json.dumps(data))

    async def receive_from(self, timeout: float = 3) -> str:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return str(response["text"])

    async def receive_json_from(self, timeout: float = 3) -> Any:
        return json.loads(await self.receive_from(timeout))

    async def disconnect(self, code: int = 1000, timeout: float = 3) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def socket(ticket_id: int, user: Any = None, *, origin: str = "http://localhost") -> Any:
    headers = [(b"origin", origin.encode())]
    if user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return WebsocketCommunicator(application, f"/ws/agent/tickets/{ticket_id}/", headers=headers)


async def join(ticket_id: int, user: Any) -> Any:
    """A socket of `user` on the ticket's room, joined."""
    communicator = await socket(ticket_id, user)
    connected, _code = await communicator.connect()
    assert connected
    return communicator


async def both_on(ticket_id: int, watcher: Any, other: Any) -> tuple[Any, Any]:
    """Sockets of `watcher` and `other` on the ticket, once the watcher's page shows the other."""
    first = await join(ticket_id, watcher)
    second = await join(ticket_id, other)
    await presence_until(first, [{"name": other.first_name, "state": "viewing"}])
    return first, second


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    """Run an async scenario from this (synchronous) test; the consumers' database calls come
    back to this thread, inside the test's database connection."""
    async_to_sync(scenario)()


async def frame(communicator: Any, kind: str, *, timeout: float = 3) -> dict[str, Any]:
    """The next frame of type `kind`, skipping others."""
    async with asyncio.timeout(timeout):
        while True:
            message = await communicator.receive_json_from(timeout=timeout)
            if message["type"] == kind:
                return dict(message)


async def presence_until(
    communicator: Any, wanted: list[dict[str, str]], *, timeout: float = 3
) -> None:
    async with asyncio.timeout(timeout):
        while (await frame(communicator, "presence", timeout=timeout))["others"] != wanted:
            pass


def newest_event(ticket: Ticket) -> TicketEvent:
    return TicketEvent.objects.filter(ticket=ticket).order_by("-sequence")[0]


def newest_sequence(ticket: Ticket) -> int:
    return newest_event(ticket).sequence


# --- Who may join ------------------------------------------------------------------------------


def test_an_agent_of_the_tickets_group_joins_and_hears_its_newest_history_sequence(
    make_ticket: Callable[..., Ticket], sato: Any
) -> None:
    ticket = make_ticket()
    expected = newest_sequence(ticket)

    async def scenario() -> None:
        communicator = await join(ticket.pk, sato)
        assert await frame(communicator, "state") == {"type": "state", "sequence": expected}
        await communicator.disconnect()

    run(scenario)


def test_visitors_customers_other_groups_and_staff_without_totp_are_refused_at_the_handshake(
    make_ticket: Callable[..., Ticket],
    make_agent: Callable[..., Any],
    customer: Any,
    general_agent: Any,
) -> None:
    ticket = make_ticket()  # the customer's own ticket, in the payments group
    no_totp = make_agent("newcomer", groups=("payments",), totp=False)
    editor = make_agent("editor", role="editor")
    refused = [None, customer, general_agent, no_totp, editor]

    async def scenario() -> None:
        for user in refused:
            connected, _code = await (await socket(ticket.pk, user)).connect()
            assert not connected, user

    run(scenario)


def test_a_missing_ticket_is_refused_like_a_forbidden_one(admin_user: Any) -> None:
    async def scenario() -> None:
        for ticket_id in (987654, 10**20):
            connected, _code = await (await socket(ticket_id, admin_user)).connect()
            assert not connected

    run(scenario)


def test_an_administrator_in_no_group_may_watch_any_ticket(
    make_ticket: Callable[..., Ticket], admin_user: Any
) -> None:
    ticket = make_ticket()

    async def scenario() -> None:
        communicator = await join(ticket.pk, admin_user)
        await communicator.disconnect()

    run(scenario)


def test_a_socket_opened_from_a_foreign_origin_is_refused(
    make_ticket: Callable[..., Ticket], sato: Any
) -> None:
    ticket = make_ticket()

    async def scenario() -> None:
        connected, _code = await (
            await socket(ticket.pk, sato, origin="https://phish.example")
        ).connect()
        assert not connected

    run(scenario)


# --- Presence ---------------------------------------------------------------------------------


def test_two_agents_on_one_ticket_see_each_other_viewing_then_writing_a_reply(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any
) -> None:
    ticket = make_ticket()

    async def scenario() -> None:
        first = await join(ticket.pk, sato)
        assert (await frame(first, "presence"))["others"] == []
        second = await join(ticket.pk, suzuki)
        await presence_until(second, [{"name": "Sato", "state": "viewing"}])
        await presence_until(first, [{"name": "Suzuki", "state": "viewing"}])

        await second.send_json_to({"type": "presence", "state": "typing"})
        await presence_until(first, [{"name": "Suzuki", "state": "typing"}])
        await second.send_json_to({"type": "presence", "state": "viewing"})
        await presence_until(first, [{"name": "Suzuki", "state": "viewing"}])
        await first.disconnect()
        await second.disconnect()

    run(scenario)


def test_an_agent_with_two_tabs_counts_once_and_writing_in_either_shows(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any
) -> None:
    ticket = make_ticket()

    async def scenario() -> None:
        watcher = await join(ticket.pk, sato)
        tabs = [await join(ticket.pk, suzuki), await join(ticket.pk, suzuki)]
        await presence_until(watcher, [{"name": "Suzuki", "state": "viewing"}])
        await tabs[1].send_json_to({"type": "presence", "state": "typing"})
        await presence_until(watcher, [{"name": "Suzuki", "state": "typing"}])
        for communicator in (watcher, *tabs):
            await communicator.disconnect()

    run(scenario)


def test_a_closed_tab_stops_counting_at_once(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any
) -> None:
    ticket = make_ticket()

    async def scenario() -> None:
        first, second = await both_on(ticket.pk, sato, suzuki)
        await second.disconnect()
        await presence_until(first, [], timeout=1)
        await first.disconnect()

    run(scenario)


def test_a_page_whose_process_died_stops_counting_when_its_presence_expires(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any, settings: Any
) -> None:
    settings.MADOGUCHI_LIVE_CHECK_SECONDS = 0.2  # presence lasts three checks: 0.6 s
    ticket = make_ticket()

    async def scenario() -> None:
        first, second = await both_on(ticket.pk, sato, suzuki)
        # Killed, not closed: no disconnect handler runs, as when its process dies.
        second.future.cancel()
        await presence_until(first, [], timeout=3)
        await first.disconnect()

    run(scenario)


def test_frames_that_are_not_a_known_presence_are_ignored(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any
) -> None:
    ticket = make_ticket()

    async def scenario() -> None:
        first, second = await both_on(ticket.pk, sato, suzuki)
        for junk in ([1, 2], {"type": "presence", "state": "<script>"}, {"type": "reply"}):
            await second.send_json_to(junk)
        await second.send_to(text_data="not json")
        assert await first.receive_nothing(timeout=0.3)
        # The socket is still there and still heard.
        await second.send_json_to({"type": "presence", "state": "typing"})
        await presence_until(first, [{"name": "Suzuki", "state": "typing"}])
        await first.disconnect()

    run(scenario)


def test_binary_and_oversized_frames_are_ignored_unread(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any
) -> None:
    ticket = make_ticket()

    async def scenario() -> None:
        first, second = await both_on(ticket.pk, sato, suzuki)
        await second.send_input({"type": "websocket.receive", "bytes": b"\x00typing"})
        padded = json.dumps({"type": "presence", "state": "typing", "pad": "x" * 2000})
        await second.send_to(text_data=padded)
        assert await first.receive_nothing(timeout=0.3)
        await second.send_json_to({"type": "presence", "state": "typing"})
        await presence_until(first, [{"name": "Suzuki", "state": "typing"}])
        await first.disconnect()
        await second.disconnect()

    run(scenario)


def test_a_page_flipping_its_presence_is_told_to_the_room_only_up_to_the_limit(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any, settings: Any
) -> None:
    settings.MADOGUCHI_LIVE_PRESENCE_RATE = "3/m"
    ticket = make_ticket()

    async def scenario() -> None:
        first, second = await both_on(ticket.pk, sato, suzuki)
        for state in ("typing", "viewing", "typing", "viewing", "typing", "viewing"):
            await second.send_json_to({"type": "presence", "state": state})
        heard = [(await frame(first, "presence"))["others"][0]["state"] for _ in range(3)]
        assert heard == ["typing", "viewing", "typing"]
        assert await first.receive_nothing(timeout=0.3)
        await first.disconnect()
        await second.disconnect()

    run(scenario)


def test_a_presence_held_back_by_the_limit_reaches_the_room_at_the_next_check(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any, settings: Any
) -> None:
    settings.MADOGUCHI_LIVE_PRESENCE_RATE = "1/m"
    settings.MADOGUCHI_LIVE_CHECK_SECONDS = 0.2
    ticket = make_ticket()

    async def scenario() -> None:
        first, second = await both_on(ticket.pk, sato, suzuki)
        await second.send_json_to({"type": "presence", "state": "typing"})
        await presence_until(first, [{"name": "Suzuki", "state": "typing"}])
        # Over the limit: not told at once, but the newest state is not lost.
        await second.send_json_to({"type": "presence", "state": "viewing"})
        await presence_until(first, [{"name": "Suzuki", "state": "viewing"}], timeout=3)
        await first.disconnect()
        await second.disconnect()

    run(scenario)


def test_a_socket_flooding_frames_is_closed_as_a_policy_violation_and_leaves_the_room(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any, settings: Any
) -> None:
    settings.MADOGUCHI_LIVE_FRAME_RATE = "20/m"
    ticket = make_ticket()

    async def scenario() -> None:
        first, second = await both_on(ticket.pk, sato, suzuki)
        # Twenty frames are within the limit, even ones that change nothing.
        for _ in range(20):
            await second.send_json_to({"type": "presence", "state": "viewing"})
        await second.send_json_to({"type": "presence", "state": "typing"})
        async with asyncio.timeout(3):
            while (output := await second.receive_output(3))["type"] != "websocket.close":
                assert output["type"] == "websocket.send"
        assert output["code"] == 1008
        await second.disconnect()
        # The frame over the limit changed nothing; closing took Suzuki off Sato's page.
        await presence_until(first, [], timeout=3)
        await first.disconnect()

    run(scenario)


# --- Pushes -------------------------------------------------------------------------------------


def test_a_reply_by_another_agent_is_pushed_with_its_sequence_and_without_its_text(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any
) -> None:
    ticket = make_ticket()
    before = newest_sequence(ticket)

    def kinds_since() -> list[str]:
        entries = TicketEvent.objects.filter(ticket=ticket, sequence__gt=before)
        return list(dict.fromkeys(entries.order_by("sequence").values_list("kind", flat=True)))

    async def scenario() -> None:
        watcher = await join(ticket.pk, sato)
        await frame(watcher, "state")
        await database_sync_to_async(add_agent_reply)(ticket=ticket, body=REPLY, by=suzuki)
        raw = await watcher.receive_from(timeout=3)
        while json.loads(raw)["type"] != "changed":
            raw = await watcher.receive_from(timeout=3)
        assert REPLY not in raw and REPLY[:6] not in raw
        # The reply and the status it set are one transaction: one push, with the last entry's
        # sequence and every kind of change it made.
        newest = await database_sync_to_async(newest_event)(ticket)
        kinds = await database_sync_to_async(kinds_since)()
        assert EventKind.MESSAGE_ADDED in kinds and EventKind.STATUS_CHANGED in kinds
        assert json.loads(raw) == {
            "type": "changed",
            "sequence": newest.sequence,
            "kind": newest.kind,
            "kinds": kinds,
            "actor": suzuki.email,
            "mine": False,
        }
        await watcher.disconnect()

    run(scenario)


def test_an_internal_note_is_pushed_without_its_text_and_the_writer_hears_it_as_theirs(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any
) -> None:
    ticket = make_ticket()

    async def scenario() -> None:
        watcher = await join(ticket.pk, sato)
        writer = await join(ticket.pk, suzuki)
        await database_sync_to_async(add_internal_note)(ticket=ticket, body=NOTE, by=suzuki)
        for communicator, mine in ((watcher, False), (writer, True)):
            pushed = await frame(communicator, "changed")
            assert pushed["kind"] == EventKind.NOTE_ADDED and pushed["mine"] is mine
            assert NOTE not in json.dumps(pushed, ensure_ascii=False)
        await watcher.disconnect()
        await writer.disconnect()

    run(scenario)


def test_a_customer_writing_reaches_the_agents_page(
    make_ticket: Callable[..., Ticket], sato: Any, customer: Any
) -> None:
    ticket = make_ticket()

    async def scenario() -> None:
        watcher = await join(ticket.pk, sato)
        await database_sync_to_async(add_customer_message)(
            ticket=ticket, body="まだ反映されていません。", by=customer
        )
        pushed = await frame(watcher, "changed")
        assert pushed["actor"] == customer.email and pushed["mine"] is False
        await watcher.disconnect()

    run(scenario)


def test_pages_of_other_tickets_hear_nothing(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any
) -> None:
    watched, changed = make_ticket(), make_ticket(subject="別件", body="別の問い合わせです。")

    async def scenario() -> None:
        watcher = await join(watched.pk, sato)
        await frame(watcher, "presence")
        await database_sync_to_async(add_agent_reply)(ticket=changed, body=REPLY, by=suzuki)
        assert await watcher.receive_nothing(timeout=0.5)
        await watcher.disconnect()

    run(scenario)


def test_nothing_is_pushed_for_a_change_that_rolled_back(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any
) -> None:
    ticket = make_ticket()

    def change_then_fail() -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            change_status(ticket=ticket, status="on_hold", by=suzuki)
            raise RuntimeError("the surrounding work failed")

    async def scenario() -> None:
        watcher = await join(ticket.pk, sato)
        await frame(watcher, "presence")
        await database_sync_to_async(change_then_fail)()
        assert await watcher.receive_nothing(timeout=0.5)
        await watcher.disconnect()

    run(scenario)


def test_a_change_whose_push_never_arrives_reaches_the_page_at_the_next_check(
    make_ticket: Callable[..., Ticket], sato: Any, suzuki: Any, settings: Any, monkeypatch: Any
) -> None:
    """As when the background worker or another web process makes the change and the
    in-memory channel layer cannot reach this one."""
    settings.MADOGUCHI_LIVE_CHECK_SECONDS = 0.2
    ticket = make_ticket()
    monkeypatch.setattr(live, "deliver", lambda messages: None)

    async def scenario() -> None:
        watcher = await join(ticket.pk, sato)
        first = (await frame(watcher, "state"))["sequence"]
        await database_sync_to_async(add_agent_reply)(ticket=ticket, body=REPLY, by=suzuki)
        caught_up = await frame(watcher, "state", timeout=3)
        assert caught_up["sequence"] > first
        assert caught_up["sequence"] == await database_sync_to_async(newest_sequence)(ticket)
        await watcher.disconnect()

    run(scenario)


def test_an_agent_taken_out_of_the_group_is_disconnected_at_the_next_check(
    make_ticket: Callable[..., Ticket], sato: Any, settings: Any
) -> None:
    settings.MADOGUCHI_LIVE_CHECK_SECONDS = 0.2
    ticket = make_ticket()

    def leave_group() -> None:
        SupportGroup.objects.get(slug="payments").members.remove(sato)

    async def scenario() -> None:
        watcher = await join(ticket.pk, sato)
        await database_sync_to_async(leave_group)()
        async with asyncio.timeout(3):
            while (await watcher.receive_output(timeout=3))["type"] != "websocket.close":
                pass

    run(scenario)


def test_signing_out_elsewhere_closes_the_socket_at_the_next_check(
    make_ticket: Callable[..., Ticket], sato: Any, settings: Any
) -> None:
    settings.MADOGUCHI_LIVE_CHECK_SECONDS = 0.2
    ticket = make_ticket()
    client = Client()
    client.force_login(sato)
    headers = [
        (b"origin", b"http://localhost"),
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
    ]

    async def scenario() -> None:
        watcher = WebsocketCommunicator(
            application, f"/ws/agent/tickets/{ticket.pk}/", headers=headers
        )
        assert (await watcher.connect())[0]
        await database_sync_to_async(client.logout)()
        async with asyncio.timeout(3):
            while True:
                output = await watcher.receive_output(timeout=3)
                if output["type"] == "websocket.close":
                    assert output["code"] == 4403
                    break

    run(scenario)


# --- The live view --------------------------------------------------------------------------


def test_the_live_view_sends_the_state_the_conversation_with_notes_and_the_history(
    make_ticket: Callable[..., Ticket],
    sato: Any,
    suzuki: Any,
    login: Callable[[Any], Client],
    django_assert_max_num_queries: Any,
) -> None:
    ticket = make_ticket()
    add_internal_note(ticket=ticket, body=NOTE, by=suzuki)
    add_agent_reply(ticket=ticket, body=REPLY, by=suzuki)
    url = reverse("tickets:agent_live", kwargs={"ticket_id": ticket.pk})
    client = login(sato)
    client.get(url)  # the session and the translations warm
    # 11: one more since each reply shows how its copies were delivered (one query for all).
    with django_assert_max_num_queries(11):
        response = client.get(url, {"since": 1})
    assert response.status_code == 200
    assert response[SEQUENCE_HEADER] == str(newest_sequence(ticket))
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    for part in ("state", "sla", "conversation", "history"):
        assert f'data-live-part="{part}"' in html
    assert NOTE in html and REPLY in html
    assert "agent-message--internal" in html


def test_the_live_view_answers_204_when_the_page_is_up_to_date(
    make_ticket: Callable[..., Ticket], sato: Any, login: Callable[[Any], Client]
) -> None:
    ticket = make_ticket()
    newest = newest_sequence(ticket)
    url = reverse("tickets:agent_live", kwargs={"ticket_id": ticket.pk})
    response = login(sato).get(url, {"since": newest})
    assert response.status_code == 204
    assert response[SEQUENCE_HEADER] == str(newest)
    assert login(sato).get(url, {"since": "garbage"}).status_code == 200


def test_the_live_view_is_the_same_404_for_other_groups_customers_and_missing_tickets(
    make_ticket: Callable[..., Ticket],
    general_agent: Any,
    customer: Any,
    login: Callable[[Any], Client],
) -> None:
    ticket = make_ticket()
    add_internal_note(ticket=ticket, body=NOTE, by=None)
    for user, ticket_id in (
        (general_agent, ticket.pk),
        (customer, ticket.pk),
        (general_agent, 987654),
        (general_agent, 10**18),
    ):
        response = login(user).get(
            reverse("tickets:agent_live", kwargs={"ticket_id": ticket_id}), {"since": 0}
        )
        assert response.status_code == 404, (user, ticket_id)
        assert NOTE not in response.content.decode()
    visitor = login(None).get(reverse("tickets:agent_live", kwargs={"ticket_id": ticket.pk}))
    assert visitor.status_code == 302


def test_the_ticket_page_carries_its_newest_sequence_and_the_room_address(
    make_ticket: Callable[..., Ticket], sato: Any, login: Callable[[Any], Client]
) -> None:
    ticket = make_ticket()
    html = login(sato).get(reverse("tickets:agent_ticket", kwargs={"ticket_id": ticket.pk}))
    text = html.content.decode()
    assert f'data-live-sequence="{newest_sequence(ticket)}"' in text
    assert f'data-live-socket="/ws/agent/tickets/{ticket.pk}/"' in text
    assert "tickets/live.js" in text


# --- Announcing --------------------------------------------------------------------------------


def test_announcing_costs_no_query_and_one_transaction_sends_one_push_per_room(
    make_ticket: Callable[..., Ticket],
    suzuki: Any,
    monkeypatch: Any,
    django_assert_num_queries: Any,
) -> None:
    ticket = make_ticket()
    sent: list[list[tuple[str, dict[str, Any]]]] = []
    monkeypatch.setattr(live, "deliver", sent.append)
    event = TicketEvent.objects.filter(ticket=ticket).latest("sequence")
    with transaction.atomic():
        with django_assert_num_queries(0):
            live.announce(event, group_id=ticket.group_id)
            live.announce(event, group_id=None)
        assert sent == []
    [batch] = sent
    assert [room for room, _message in batch] == [
        live.ticket_room(ticket.pk),
        live.queue_room(ticket.group_id),
        live.ticket_room(ticket.pk),
    ]


# --- The queue room ---------------------------------------------------------------------------


async def queue_socket(user: Any) -> Any:
    cookie = await database_sync_to_async(session_cookie)(user)
    headers = [(b"origin", b"http://localhost"), (b"cookie", f"sessionid={cookie}".encode())]
    return WebsocketCommunicator(application, "/ws/agent/queue/", headers)


def test_a_queue_page_hears_of_its_groups_tickets_and_not_of_other_groups(
    make_ticket: Callable[..., Ticket], sato: Any, general_agent: Any, customer: Any
) -> None:
    async def scenario() -> None:
        payments = await queue_socket(sato)
        general = await queue_socket(general_agent)
        assert (await payments.connect())[0]
        assert (await general.connect())[0]
        assert not (await (await queue_socket(customer)).connect())[0]
        ticket = await database_sync_to_async(make_ticket)()  # a deposit: payments
        pushed = await frame(payments, "changed")
        assert pushed == {"type": "changed", "ticket": ticket.pk, "kind": pushed["kind"]}
        assert await general.receive_nothing(timeout=0.5)
        await payments.disconnect()
        await general.disconnect()

    run(scenario)


def test_the_security_group_hears_of_a_ticket_it_is_alerted_to_wherever_it_is_routed(
    make_ticket: Callable[..., Ticket], make_agent: Callable[..., Any]
) -> None:
    guard = make_agent("guard", groups=("security",))
    payments = SupportGroup.objects.get(slug="payments").pk

    async def scenario() -> None:
        security = await queue_socket(guard)
        assert (await security.connect())[0]
        ticket = await database_sync_to_async(make_ticket)(
            body="入金が反映されません。カード番号は 4111 1111 1111 1111 です。"
        )
        assert ticket.group_id == payments
        pushed = await frame(security, "changed")
        assert pushed["ticket"] == ticket.pk
        await security.disconnect()

    run(scenario)


def test_with_redis_a_change_made_where_no_socket_listens_reaches_the_page_at_once(
    make_ticket: Callable[..., Ticket],
    sato: Any,
    suzuki: Any,
    settings: Any,
    monkeypatch: Any,
    redis_url: str,
) -> None:
    """As a change made by the background worker or another web process: with REDIS_URL the
    push goes through Redis, not the next check."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": f"test-live-{uuid.uuid4().hex}"},
        }
    }
    ticket = make_ticket()

    async def scenario() -> None:
        watcher = await join(ticket.pk, sato)
        await frame(watcher, "state")
        # This process's sockets are out of reach of the change, as another process's are.
        monkeypatch.setattr(live, "_consumers_loop", None)
        await database_sync_to_async(add_agent_reply)(ticket=ticket, body=REPLY, by=suzuki)
        pushed = await frame(watcher, "changed", timeout=3)
        assert pushed["sequence"] == await database_sync_to_async(newest_sequence)(ticket)
        await watcher.disconnect()

    run(scenario)
