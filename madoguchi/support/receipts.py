"""The receipt the "sent" page reads: a short signed note in its address, not a session.

A session would cost every visitor's submission a second database write; the receipt names
only the ticket, its problem type and whether the message was kept for later, and the page
reads the rest (the notices intake stored, the address to confirm) from the ticket itself.
It expires after an hour: it is for the page right after sending, not a link to keep.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

SALT = "madoguchi.support.receipt"
MAX_AGE = 3600


@dataclass(frozen=True)
class Receipt:
    ticket_id: int | None
    problem_type: str
    kept_for_later: bool


def write_receipt(receipt: Receipt) -> str:
    return signing.dumps(
        [receipt.ticket_id, receipt.problem_type, receipt.kept_for_later], salt=SALT, compress=True
    )


def read_receipt(token: str) -> Receipt | None:
    try:
        data = signing.loads(token[:1000], salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # expired receipts are bad signatures too
        return None
    if not (isinstance(data, list) and len(data) == 3):
        return None
    ticket_id, problem_type, kept = data
    if not (ticket_id is None or isinstance(ticket_id, int)) or not isinstance(problem_type, str):
        return None
    return Receipt(ticket_id=ticket_id, problem_type=problem_type, kept_for_later=bool(kept))
