"""Tell open agent pages that a ticket changed, after the change commits.

`events.record` calls `announce` for every history entry; the entries of one transaction go out
together once it commits, as "ticket N changed (sequence S, kind K, by whom)" to the ticket's
room and to its group's queue room. A push never carries a message body: the page fetches what
changed over HTTP, through the normal access check (views/agent/live.py).

Delivery is best effort. The in-memory channel layer (the embedded default) reaches only the
sockets of the process that made the change; a change made by the background worker or by
another web process reaches them when their consumer next compares the ticket's latest
history sequence with the database (consumers.py, every `MADOGUCHI_LIVE_CHECK_SECONDS`). With
`REDIS_URL` set the Redis channel layer fans every push out to every process at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from madoguchi.tickets.models import EventKind, TicketEvent

logger = logging.getLogger(__name__)

CHANGED = "ticket.changed"
# The security group hears of every ticket it is alerted to, wherever the ticket is routed.
SECURITY_ROOM = "queue.security-alerts"


def ticket_room(ticket_id: int) -> str:
    """The channel-layer group of everyone with the ticket's page open."""
    return f"ticket.{ticket_id}"


def queue_room(group_id: int) -> str:
    """The channel-layer group of the queue pages showing a support group's tickets."""
    return f"queue.{group_id}"


# The event loop that runs this process's WebSocket consumers. Changes commit in other threads
# (a2wsgi's pool, the consumers' database threads), and the in-memory layer's queues may only
# be touched from the loop their readers wait on.
_consumers_loop: asyncio.AbstractEventLoop | None = None


def consumers_run_on(loop: asyncio.AbstractEventLoop) -> None:
    """Called by each consumer as it connects: pushes from other threads go to this loop."""
    global _consumers_loop
    _consumers_loop = loop


@dataclass
class _Batch:
    """The pushes of one transaction, sent once it commits."""

    messages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __call__(self) -> None:
        deliver(self.messages)


def _pending_batch() -> _Batch:
    # One on_commit callback per transaction, not one per history entry: intake writes several
    # entries for a ticket. A batch whose savepoint rolled back is no longer in run_on_commit,
    # so a fresh one is started; a hint of a rolled-back entry only costs the page a fetch.
    connection = transaction.get_connection()
    for _savepoints, callback, _robust in reversed(connection.run_on_commit):
        if isinstance(callback, _Batch):
            return callback
    batch = _Batch()
    transaction.on_commit(batch, robust=True)
    return batch


def announce(event: TicketEvent, *, group_id: int | None) -> None:
    """Queue the push for `event`; sent after the surrounding transaction commits."""
    message = {
        "type": CHANGED,
        "ticket": event.ticket_id,
        "sequence": event.sequence,
        "kind": str(event.kind),
        "actor": event.actor_label,
        "actor_id": event.actor_id,
    }
    batch = _pending_batch()
    batch.messages.append((ticket_room(event.ticket_id), message))
    if group_id is not None:
        batch.messages.append((queue_room(group_id), message))
    if event.kind == EventKind.SECURITY_ALERT:
        batch.messages.append((SECURITY_ROOM, message))


def deliver(messages: list[tuple[str, dict[str, Any]]]) -> None:
    """Send `(room, message)` pairs through the channel layer; never raises."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return
    # One push per room: the last entry's sequence (the page fetches everything newer than
    # what it has) and every kind of change the transaction made, in order.
    latest: dict[str, dict[str, Any]] = {}
    for room, message in messages:
        kinds = latest.get(room, {}).get("kinds", [])
        if message["kind"] not in kinds:
            kinds = [*kinds, message["kind"]]
        latest[room] = {**message, "kinds": kinds}

    async def send_all() -> None:
        for room, message in latest.items():
            await layer.group_send(room, message)

    loop = _consumers_loop
    try:
        if loop is not None and loop.is_running():
            _run_on(loop, send_all)
        elif not isinstance(layer, InMemoryChannelLayer):
            async_to_sync(send_all)()
        # else: no socket of this process is listening, and no other process can be reached;
        # their consumers catch up from the database.
    except Exception:  # a push is a hint; the change itself has committed
        logger.exception("live update not sent")


def _run_on(loop: asyncio.AbstractEventLoop, send_all: Callable[[], Any]) -> None:
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        loop.create_task(send_all())
    else:
        asyncio.run_coroutine_threadsafe(send_all(), loop)
