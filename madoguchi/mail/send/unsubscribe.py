"""One-click unsubscribe from notices (RFC 8058): a signed link per ticket, and the list of
addresses that used it. Replies to a person's own request are the conversation, not a notice:
they are sent whatever this list says.

The link names the ticket, not the address, so no address ends up in a web server's log; the
address unsubscribed is the ticket's requester's.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from madoguchi.mail.models import Unsubscribe
from madoguchi.tickets.models import Ticket

SALT = "madoguchi.mail.unsubscribe"


def token_for(ticket: Ticket) -> str:
    """A token naming `ticket`; it does not expire: a notice can be years old when it is used."""
    return signing.dumps({"t": ticket.pk}, salt=SALT)


def email_of(token: str) -> str | None:
    """The address a token unsubscribes, or None when the token is not one of ours."""
    try:
        value = signing.loads(token[:300], salt=SALT)
    except signing.BadSignature:
        return None
    pk = value.get("t") if isinstance(value, dict) else None
    if not isinstance(pk, int):
        return None
    email = Ticket.objects.filter(pk=pk).values_list("requester_email", flat=True).first()
    return email or None


def unsubscribe_url(ticket: Ticket) -> str:
    with translation.override(ticket.language or "ja"):
        path = reverse("mail:unsubscribe", kwargs={"token": token_for(ticket)})
    return settings.MADOGUCHI_BASE_URL + path


def unsubscribe(email: str) -> None:
    Unsubscribe.objects.get_or_create(email=email.strip().lower())


def is_unsubscribed(email: str) -> bool:
    return Unsubscribe.objects.filter(email=email.strip().lower()).exists()
