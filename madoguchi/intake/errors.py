"""How a step says a message needs no ticket (`Dropped`) or needs a person first (`Held`)."""

from __future__ import annotations


class Dropped(Exception):
    """Nothing to do: an auto-reply, a loop, the same message sent twice."""

    def __init__(self, reason: str, *, ticket_id: int | None = None) -> None:
        self.reason = reason
        self.ticket_id = ticket_id
        super().__init__(reason)


class Held(Exception):
    """Kept in the quarantine for an agent: e.g. a reply from someone not on the ticket."""

    def __init__(self, reason: str, *, ticket_id: int | None = None) -> None:
        self.reason = reason
        self.ticket_id = ticket_id
        super().__init__(reason)
