"""Step 3: no ticket for auto-replies and bounces, and none twice for one double-click."""

from __future__ import annotations

from datetime import timedelta

from madoguchi.intake.errors import Dropped
from madoguchi.intake.inbound import InboundMessage
from madoguchi.tickets.selectors import recent_identical_message

DUPLICATE_WINDOW = timedelta(minutes=10)


def detect_loops(message: InboundMessage) -> InboundMessage:
    if message.is_automated:
        raise Dropped("automated")
    if message.sender_email and message.body:
        ticket_id = recent_identical_message(
            email=message.sender_email,
            subject=message.subject,
            body=message.body,
            since=message.received_at - DUPLICATE_WINDOW,
            ticket_id=message.ticket_id,
        )
        if ticket_id is not None:
            raise Dropped("duplicate", ticket_id=ticket_id)
    return message
