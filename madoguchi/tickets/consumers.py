"""The ticket room: a WebSocket per open agent page, for live updates and collision warnings.

Who may join: the same people as the ticket page (a signed-in agent or administrator who passed
TOTP and works on the ticket); anyone else is refused at the handshake, so a guessed ticket id
tells nothing. The room tells the page "ticket N changed (sequence S, kind K, by whom)"
(live.py) and never a message body: the page fetches what changed over HTTP.

Presence ("Sato is viewing this ticket", "Sato is writing a reply") is kept in the Django cache,
which every process of one machine shares (diskcache) and, with REDIS_URL, every machine: one
entry per open page, with a time to live that each page's consumer renews while the socket is
open. A closed tab removes its entry at once; a process that dies leaves entries that expire
within `PRESENCE_SECONDS`.

Every `MADOGUCHI_LIVE_CHECK_SECONDS` each consumer checks again that its user may still open
the ticket (a fresh read of the session and of the user), compares the ticket's latest history
sequence with what the page has, and re-reads presence. That check is what carries changes made
in other processes when the channel layer cannot (the in-memory layer reaches one process).

A page says "viewing" or "typing" only when its reply box turns empty or not, but a signed-in
agent's own client could send presence frames without end, and each change is a cache write and
a message to every page in the room. So each socket counts, in memory (one socket, one
consumer): at most `MADOGUCHI_LIVE_PRESENCE_RATE` changes are told to the room at once (default
10 in 10 seconds); a change over it is kept and told at the socket's next check. A socket that
sends more than `MADOGUCHI_LIVE_FRAME_RATE` frames of any kind (default 60 in 10 seconds) is
closed with 1008, policy violation. Binary frames and text frames longer than
`MAX_FRAME_CHARS` are ignored unread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from importlib import import_module
from typing import Any

from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.http import Http404

from madoguchi.accounts.permissions import is_admin
from madoguchi.accounts.selectors import has_totp
from madoguchi.safety.rate_limits import Rate, configured_rate
from madoguchi.tickets import live
from madoguchi.tickets.models import SupportGroup, TicketEvent
from madoguchi.tickets.permissions import access_ticket, is_agent, works_on

VIEWING = "viewing"
TYPING = "typing"
STATES = frozenset({VIEWING, TYPING})

# Close codes in the private range (RFC 6455 section 7.4.2); the page stops reconnecting on them.
NO_ACCESS = 4403
# Policy violation (RFC 6455 section 7.4.1): too many frames. The page reconnects after a pause,
# and a page that behaves never comes near the limit.
TOO_MANY_FRAMES = 1008
# A presence frame is some 40 characters; anything far longer is not one.
MAX_FRAME_CHARS = 1024


def check_seconds() -> float:
    return float(getattr(settings, "MADOGUCHI_LIVE_CHECK_SECONDS", 15))


def presence_rate() -> Rate:
    return configured_rate("MADOGUCHI_LIVE_PRESENCE_RATE", "10/10s")


def frame_rate() -> Rate:
    return configured_rate("MADOGUCHI_LIVE_FRAME_RATE", "60/10s")


class SlidingWindow:
    """At most `rate.limit` events in any `rate.period` seconds: one socket's own count, kept in
    its consumer (nothing to share with other processes, so no cache round trip a frame)."""

    def __init__(self, rate: Rate) -> None:
        self.period = rate.period
        self.times: deque[float] = deque(maxlen=rate.limit)

    def allow(self) -> bool:
        """Count one event now if the window has room for it; False (and not counted) if not."""
        now = time.monotonic()
        if len(self.times) == self.times.maxlen and now - self.times[0] < self.period:
            return False
        self.times.append(now)
        return True


def presence_seconds() -> float:
    """How long an open page counts without its consumer renewing it: three missed checks."""
    return 3 * check_seconds()


def latest_sequence(user: Any, ticket_id: int) -> int | None:
    """The ticket's newest history sequence if `user` may watch it live, else None.

    The same door as the ticket page: an agent or administrator with TOTP who works on the
    ticket (permissions.access_ticket, then works_on).
    """
    if not is_agent(user) or not has_totp(user):
        return None
    try:
        ticket = access_ticket(user, ticket_id)
    except Http404:
        return None
    if not works_on(user, ticket):
        return None
    newest = (
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    return newest or 0


def queue_rooms(user: Any) -> list[str] | None:
    """The queue rooms `user` hears, or None if they may not: their groups' (every group for an
    administrator) and, for the security group, the alerts about tickets routed elsewhere."""
    if not is_agent(user) or not has_totp(user):
        return None
    groups = SupportGroup.objects.all()
    if not is_admin(user):
        groups = groups.filter(members=user)
    rooms = []
    security = False
    for pk, handles_security in groups.values_list("pk", "handles_security"):
        rooms.append(live.queue_room(pk))
        security = security or handles_security
    if security or is_admin(user):
        rooms.append(live.SECURITY_ROOM)
    return rooms


def display_name(user: Any) -> str:
    return str(user.get_full_name() or user.email)


# --- Presence in the shared cache ------------------------------------------------------------


def _roster_key(ticket_id: int) -> str:
    return f"live:roster:{ticket_id}"


def _entry_key(ticket_id: int, channel_name: str) -> str:
    return f"live:presence:{ticket_id}:{channel_name}"


async def _enter(ticket_id: int, channel_name: str, entry: dict[str, Any]) -> None:
    """Write (or renew) this page's entry and make sure the roster names it.

    The roster is read, changed and written back: two pages joining at the same moment in two
    processes may drop one name, which that page's next check puts back.
    """
    await cache.aset(_entry_key(ticket_id, channel_name), entry, presence_seconds())
    roster: list[str] = await cache.aget(_roster_key(ticket_id)) or []
    if channel_name not in roster:
        await cache.aset(_roster_key(ticket_id), [*roster, channel_name], 24 * 3600)


async def _leave(ticket_id: int, channel_name: str) -> None:
    await cache.adelete(_entry_key(ticket_id, channel_name))


async def _present(ticket_id: int) -> dict[str, dict[str, Any]]:
    """The pages open on the ticket, by channel name; names whose entry expired are dropped."""
    roster: list[str] = await cache.aget(_roster_key(ticket_id)) or []
    if not roster:
        return {}
    keys = {_entry_key(ticket_id, name): name for name in roster}
    found = await cache.aget_many(list(keys))
    present = {keys[key]: entry for key, entry in found.items()}
    if len(present) < len(roster):
        await cache.aset(
            _roster_key(ticket_id), [name for name in roster if name in present], 24 * 3600
        )
    return present


def _others(present: dict[str, dict[str, Any]], user_id: int) -> list[dict[str, str]]:
    """Other agents on the page, one line each: writing wins over viewing across their tabs."""
    people: dict[int, dict[str, str]] = {}
    for entry in present.values():
        if entry.get("user") == user_id:
            continue
        person = people.setdefault(entry["user"], {"name": entry["name"], "state": VIEWING})
        if entry.get("state") == TYPING:
            person["state"] = TYPING
    return sorted(people.values(), key=lambda person: person["name"])


class TicketRoomConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """ws/agent/tickets/<id>/: pushes "changed" and "presence"; takes the page's presence.

    Frames from the server: {"type": "state", "sequence": S} on joining and after a check that
    found newer history; {"type": "changed", "sequence", "kind" (the last entry's), "kinds"
    (every kind of change of that transaction), "actor", "mine"} on a push;
    {"type": "presence", "others": [{"name", "state"}]} when who else is here changes.
    Frames from the page: {"type": "presence", "state": "viewing" | "typing"}, within the
    limits in the module's docstring.
    """

    ticket_id: int
    user_id: int
    sequence: int
    entry: dict[str, Any]
    shown: list[dict[str, str]] | None
    checker: asyncio.Task[None] | None = None
    frames: SlidingWindow
    changes: SlidingWindow
    # A presence change over the limit, not yet told to the room (it is at the next check).
    held = False
    closing = False

    async def connect(self) -> None:
        self.ticket_id = int(self.scope["url_route"]["kwargs"]["ticket_id"])
        user = self.scope.get("user")
        sequence = await database_sync_to_async(latest_sequence)(user, self.ticket_id)
        if sequence is None:
            # Before accept: the handshake is refused with 403, whatever the reason.
            await self.close()
            return
        self.user_id = user.pk
        self.sequence = sequence
        self.shown = None
        self.entry = {"user": user.pk, "name": display_name(user), "state": VIEWING}
        self.frames = SlidingWindow(frame_rate())
        self.changes = SlidingWindow(presence_rate())
        live.consumers_run_on(asyncio.get_running_loop())
        await self.channel_layer.group_add(live.ticket_room(self.ticket_id), self.channel_name)
        await self.accept()
        await _enter(self.ticket_id, self.channel_name, self.entry)
        await self.send_json({"type": "state", "sequence": sequence})
        await self._tell_room()
        self.checker = asyncio.create_task(self._check_periodically())
        # If the consumer's own task ends without a disconnect (cancelled at shutdown), the
        # checks must end with it, or they would keep renewing a presence nobody holds.
        main = asyncio.current_task()
        if main is not None:
            main.add_done_callback(lambda _task: self.checker and self.checker.cancel())

    async def disconnect(self, code: int) -> None:
        if self.checker is None:
            return  # refused at the handshake: never joined
        self.checker.cancel()
        await _leave(self.ticket_id, self.channel_name)
        await self.channel_layer.group_discard(live.ticket_room(self.ticket_id), self.channel_name)
        await self.channel_layer.group_send(
            live.ticket_room(self.ticket_id), {"type": "presence.changed"}
        )

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if self.closing:
            return
        if not self.frames.allow():
            self.closing = True
            await self.close(code=TOO_MANY_FRAMES)
            return
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            return
        await super().receive(text_data=text_data, **kwargs)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        # A frame that is not JSON is ignored like any other unknown frame, not a crash.
        try:
            return json.loads(text_data)
        except ValueError:
            return None

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "presence":
            return
        state = content.get("state")
        if state not in STATES or state == self.entry["state"]:
            return
        self.entry = {**self.entry, "state": state}
        if not self.changes.allow():
            self.held = True
            return
        await _enter(self.ticket_id, self.channel_name, self.entry)
        await self._tell_room()

    # Channel-layer messages -------------------------------------------------------------------

    async def ticket_changed(self, message: dict[str, Any]) -> None:
        # Every push is passed on: the page fetches only what is newer than what it has.
        self.sequence = max(self.sequence, message["sequence"])
        await self.send_json(
            {
                "type": "changed",
                "sequence": message["sequence"],
                "kind": message["kind"],
                "kinds": message.get("kinds", [message["kind"]]),
                "actor": message["actor"],
                "mine": message.get("actor_id") == self.user_id,
            }
        )

    async def presence_changed(self, message: dict[str, Any]) -> None:
        await self._send_presence()

    # ------------------------------------------------------------------------------------------

    async def _tell_room(self) -> None:
        self.held = False
        await self.channel_layer.group_send(
            live.ticket_room(self.ticket_id), {"type": "presence.changed"}
        )
        # The group send reaches this consumer too, but only once this handler returns.
        await self._send_presence()

    async def _send_presence(self) -> None:
        others = _others(await _present(self.ticket_id), self.user_id)
        if others != self.shown:
            self.shown = others
            await self.send_json({"type": "presence", "others": others})

    async def _check_periodically(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                await asyncio.sleep(check_seconds())
                await self._check()

    async def _check(self) -> None:
        user = await get_user({"session": _fresh_session(self.scope)})
        sequence = await database_sync_to_async(latest_sequence)(user, self.ticket_id)
        if sequence is None or getattr(user, "pk", None) != self.user_id:
            await self.close(code=NO_ACCESS)
            return
        await _enter(self.ticket_id, self.channel_name, self.entry)
        if self.held:
            await self._tell_room()
        # Not "greater": a push may have named an entry whose savepoint rolled back, and the
        # next real entry takes the same number.
        if sequence != self.sequence:
            self.sequence = sequence
            await self.send_json({"type": "state", "sequence": sequence})
        await self._send_presence()


def _fresh_session(scope: dict[str, Any]) -> Any:
    """The session read again from its store: a logout or a password change since the socket
    opened shows up as no user."""
    engine = import_module(settings.SESSION_ENGINE)
    key = getattr(scope.get("session"), "session_key", None)
    return engine.SessionStore(session_key=key)


class QueueRoomConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """ws/agent/queue/: tells a queue page that a ticket of the agent's groups changed.

    Frames from the server: {"type": "changed", "ticket": N, "kind": K}; the page then reloads
    its rows over HTTP. Nothing is read from the page. Membership is read once, on joining; the
    page's slow refresh (static/tickets/queue_live.js) covers a group joined since, and changes
    made in other processes when the channel layer is the in-memory one.
    """

    rooms: list[str] | None = None

    async def connect(self) -> None:
        rooms = await database_sync_to_async(queue_rooms)(self.scope.get("user"))
        if rooms is None:
            await self.close()
            return
        self.rooms = rooms
        live.consumers_run_on(asyncio.get_running_loop())
        for room in rooms:
            await self.channel_layer.group_add(room, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for room in self.rooms or ():
            await self.channel_layer.group_discard(room, self.channel_name)

    async def ticket_changed(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {"type": "changed", "ticket": message["ticket"], "kind": message["kind"]}
        )
