"""The one way in: `receive(message)` runs every step of intake, in this order, for every channel.

Each step takes the message and returns it (a changed copy) or raises `Dropped` (a loop, an
auto-reply, a double submission: nothing to do) or `Held` (kept for a person to decide). Any
other failure puts the message in the quarantine, to be retried with `madoguchi intake retry`.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from django.db import transaction

from madoguchi.intake.errors import Dropped, Held
from madoguchi.intake.inbound import InboundMessage
from madoguchi.intake.steps.loops import detect_loops
from madoguchi.intake.steps.normalize import normalize
from madoguchi.intake.steps.notify import notify
from madoguchi.intake.steps.route import route
from madoguchi.intake.steps.safety import screen_for_safety
from madoguchi.intake.steps.store import store
from madoguchi.intake.steps.thread import thread
from madoguchi.intake.steps.triage import triage

logger = logging.getLogger(__name__)

Step = Callable[[InboundMessage], InboundMessage]

STEPS: tuple[Step, ...] = (
    normalize,
    screen_for_safety,
    detect_loops,
    thread,
    triage,
    store,
    route,
    notify,
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a message: created, appended, dropped, held or quarantined."""

    outcome: str
    ticket_id: int | None = None
    message_id: int | None = None
    reason: str = ""
    notices: tuple[str, ...] = ()
    quarantine_id: int | None = None
    message: InboundMessage | None = None


# From the first of these on, the steps run in one transaction: a ticket is stored together
# with its routing and its notifications, or not at all.
WRITING_STEPS = frozenset({"store", "route", "notify"})


def receive(
    message: InboundMessage,
    *,
    raw: bytes = b"",
    retry_of: int | None = None,
    with_stored: Step | None = None,
) -> Outcome:
    """Run `message` through every step; never raises for anything the message contains.

    `with_stored(message)` runs after the last step, inside the transaction that stores the
    message: what a channel keeps of it (mail's record of a mail received) is written with
    the ticket or not at all. It is not called for a message dropped, held or quarantined.
    """
    from madoguchi.intake import quarantine

    current = message
    step: Step = STEPS[0]
    in_transaction = False
    try:
        with ExitStack() as writing:
            for step in STEPS:
                if step.__name__ in WRITING_STEPS and not in_transaction:
                    writing.enter_context(transaction.atomic())
                    in_transaction = True
                current = step(current)
            if with_stored is not None:
                step = with_stored
                current = with_stored(current)
    except Dropped as dropped:
        return Outcome(
            "dropped",
            ticket_id=dropped.ticket_id,
            reason=dropped.reason,
            notices=current.notices,
            message=current,
        )
    except Held as held:
        row = quarantine.keep(
            current,
            step=step.__name__,
            reason=held.reason,
            raw=raw,
            held=True,
            retry_of=retry_of,
            ticket_id=held.ticket_id,
        )
        return Outcome(
            "held",
            ticket_id=held.ticket_id,
            reason=held.reason,
            notices=current.notices,
            quarantine_id=row.pk,
            message=current,
        )
    except Exception as error:
        # The step, the type and where it was raised, never the error's text: a database error
        # can quote the very values (addresses, names) the message carried. The quarantine row,
        # readable only by admins, keeps the whole error.
        logger.error(
            "intake step %s failed (%s) at\n%s",
            step.__name__,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        row = quarantine.keep(
            current,
            step=step.__name__,
            reason=repr(error)[:2000],
            raw=raw,
            held=False,
            retry_of=retry_of,
        )
        return Outcome(
            "quarantined",
            reason=f"{step.__name__}: {type(error).__name__}",
            notices=current.notices,
            quarantine_id=row.pk,
            message=current,
        )
    return Outcome(
        "created" if current.created else "appended",
        ticket_id=current.stored_ticket_id,
        message_id=current.stored_message_id,
        notices=current.notices,
        message=current,
    )
