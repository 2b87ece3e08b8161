"""Signed links for people without an account: confirm the email, then open the ticket.

A visitor's ticket stays hidden from agents until the link mailed to the address they gave is
opened, so nobody can open tickets in another person's name. The access link lets them come
back to that one ticket; it names the ticket and its reply token, so it dies if the token is
rotated.
"""

from __future__ import annotations

from django.core import signing

from madoguchi.tickets.models import Ticket

CONFIRM_SALT = "madoguchi.tickets.confirm-email"
ACCESS_SALT = "madoguchi.tickets.visitor-access"
CONFIRM_MAX_AGE = 7 * 24 * 3600
ACCESS_MAX_AGE = 180 * 24 * 3600


def _token(ticket: Ticket, salt: str) -> str:
    return signing.dumps({"t": ticket.pk, "r": ticket.reply_token[:8]}, salt=salt, compress=True)


def _ticket(token: str, salt: str, max_age: int) -> Ticket | None:
    try:
        data = signing.loads(token[:500], salt=salt, max_age=max_age)
    except signing.BadSignature:  # expired links are bad signatures too
        return None
    if not isinstance(data, dict):
        return None
    pk = data.get("t")
    if not isinstance(pk, int):
        return None
    ticket = Ticket.objects.filter(pk=pk).first()
    if ticket is None or ticket.reply_token[:8] != data.get("r"):
        return None
    return ticket


def confirmation_token(ticket: Ticket) -> str:
    return _token(ticket, CONFIRM_SALT)


def ticket_for_confirmation(token: str) -> Ticket | None:
    return _ticket(token, CONFIRM_SALT, CONFIRM_MAX_AGE)


def access_token(ticket: Ticket) -> str:
    return _token(ticket, ACCESS_SALT)


def ticket_for_access(token: str) -> Ticket | None:
    return _ticket(token, ACCESS_SALT, ACCESS_MAX_AGE)
