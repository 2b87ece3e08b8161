"""What an API token may do: one scope per kind of work a ticket integration does."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Scope(StrEnum):
    TICKETS_READ = "tickets:read"
    TICKETS_WRITE = "tickets:write"
    MESSAGES_WRITE = "messages:write"
    ACCOUNT_CONTEXT_WRITE = "account-context:write"


DESCRIPTIONS = {
    Scope.TICKETS_READ: _("Read tickets and their messages"),
    Scope.TICKETS_WRITE: _("Open tickets for customers and change their status and priority"),
    # Only the customer's own words: agents' replies and internal notes stay in madoguchi.
    Scope.MESSAGES_WRITE: _("Relay customers' replies to their tickets"),
    Scope.ACCOUNT_CONTEXT_WRITE: _(
        "Attach the exchange's account details (verification level, recent deposits and "
        "withdrawals) to customers and tickets"
    ),
}
