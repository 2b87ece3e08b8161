"""Merging two customer records of one person (an old account, a second email, a visitor's
address) into the account that goes on, with their tickets.

Only agents and administrators merge, after a confirmation page that shows what will move, and
every moved ticket records CUSTOMER_MERGED in its history. The source's email addresses are NOT
added to the target account: in allauth every address row of an account, verified or not, is a
way in (password reset and login look users up by any of their addresses). A merge that an
impostor talked an agent into would otherwise hand them the real customer's account through a
reset mail to their own address. The addresses stay on the source account, which is
deactivated (no login, no password reset, its sessions end), so nobody can register them
again either; the merge entries name them, so agents still see them on the target's tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import is_admin
from madoguchi.tickets import events
from madoguchi.tickets.models import EventKind, Ticket
from madoguchi.tickets.permissions import is_agent, visible_tickets


class CustomerMergeErrorCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    SAME_CUSTOMER = "same_customer"
    NOT_A_CUSTOMER = "not_a_customer"
    INACTIVE = "inactive"
    HIDDEN_TICKETS = "hidden_tickets"
    NOTHING = "nothing"


CUSTOMER_MERGE_MESSAGES = {
    CustomerMergeErrorCode.NOT_ALLOWED: gettext_lazy(
        "Only agents and administrators merge customer records."
    ),
    CustomerMergeErrorCode.SAME_CUSTOMER: gettext_lazy("These are already the same customer."),
    CustomerMergeErrorCode.NOT_A_CUSTOMER: gettext_lazy(
        "Only customer accounts can be merged; staff accounts are changed in the staff admin."
    ),
    CustomerMergeErrorCode.INACTIVE: gettext_lazy(
        "One of the two accounts is deactivated (perhaps merged already)."
    ),
    CustomerMergeErrorCode.HIDDEN_TICKETS: gettext_lazy(
        "This customer has tickets in groups you do not work in; ask an administrator to "
        "merge them."
    ),
    CustomerMergeErrorCode.NOTHING: gettext_lazy(
        "No account and no ticket of a visitor has this email address."
    ),
}


class CustomerMergeError(Exception):
    """A refused customer merge; `message` is in the active language."""

    def __init__(self, code: CustomerMergeErrorCode) -> None:
        self.code = code
        super().__init__(code.value)

    @property
    def message(self) -> str:
        return str(CUSTOMER_MERGE_MESSAGES[self.code])


@dataclass(frozen=True)
class CustomerMergePlan:
    """What a merge would do, for the confirmation page and for the merge itself."""

    source_user: Any  # the account merged away, or None for a visitor's email
    source_email: str
    into: Any
    tickets: list[Ticket]  # the tickets that move, those `by` may open
    hidden: int  # tickets that move but `by` may not open
    addresses: list[EmailAddress]  # stay on the deactivated source account

    @property
    def total(self) -> int:
        return len(self.tickets) + self.hidden


def _source_user(source: Any) -> Any:
    """The account behind `source` (a user, or an email some account holds), or None."""
    if not isinstance(source, str):
        return source
    email = source.strip()
    users = get_user_model().objects
    return (
        users.filter(email__iexact=email).first()
        or users.filter(emailaddress__email__iexact=email).distinct().first()
    )


def _source_tickets(source_user: Any, source_email: str) -> QuerySet[Ticket]:
    if source_user is not None:
        return Ticket.objects.filter(customer=source_user)
    return Ticket.objects.filter(customer__isnull=True, requester_email__iexact=source_email)


def plan_customer_merge(*, source: Any, into: Any, by: Any) -> CustomerMergePlan:
    """Check the merge and say what it moves; raises CustomerMergeError when refused."""
    if not is_agent(by):
        raise CustomerMergeError(CustomerMergeErrorCode.NOT_ALLOWED)
    source_user = _source_user(source)
    source_email = source_user.email if source_user is not None else str(source).strip()
    if into.role != Role.CUSTOMER or (
        source_user is not None and source_user.role != Role.CUSTOMER
    ):
        raise CustomerMergeError(CustomerMergeErrorCode.NOT_A_CUSTOMER)
    if source_user is not None and source_user.pk == into.pk:
        raise CustomerMergeError(CustomerMergeErrorCode.SAME_CUSTOMER)
    if not into.is_active or (source_user is not None and not source_user.is_active):
        raise CustomerMergeError(CustomerMergeErrorCode.INACTIVE)
    moving = _source_tickets(source_user, source_email)
    visible = list(
        visible_tickets(by).filter(pk__in=moving.values("pk")).order_by("-created_at", "-pk")
    )
    hidden = moving.count() - len(visible)
    if source_user is None and not visible and not hidden:
        raise CustomerMergeError(CustomerMergeErrorCode.NOTHING)
    # An agent may not move what they cannot see; an administrator sees everything anyway.
    if hidden and not is_admin(by):
        raise CustomerMergeError(CustomerMergeErrorCode.HIDDEN_TICKETS)
    addresses = (
        list(EmailAddress.objects.filter(user=source_user).order_by("-primary", "email"))
        if source_user is not None
        else []
    )
    return CustomerMergePlan(source_user, source_email, into, visible, hidden, addresses)


def merge_customers(
    *, source: Any, into: Any, by: Any, started_from: Ticket | None = None
) -> CustomerMergePlan:
    """Move every ticket of `source` (an account, or a visitor's email) to the account `into`,
    record CUSTOMER_MERGED on each, and deactivate the source account. Returns the plan it
    carried out. The tickets keep their requester email: it is where the customer wrote from,
    and mail replies are threaded by it.

    `started_from` is the ticket whose customer panel the agent started from: it records the
    merge too (with the moved tickets' ids), so a merge that moved nothing still leaves a trace.
    """
    with transaction.atomic():
        plan = plan_customer_merge(source=source, into=into, by=by)
        source_user = plan.source_user
        emails = sorted({plan.source_email.lower(), *(a.email.lower() for a in plan.addresses)})
        moving = list(
            _source_tickets(source_user, plan.source_email).select_for_update().order_by("pk")
        )
        what = {
            "from_user": source_user.pk if source_user is not None else None,
            "from_emails": emails,
            "into_user": into.pk,
            "into_email": into.email,
        }
        for ticket in moving:
            events.record(ticket, EventKind.CUSTOMER_MERGED, actor=by, **what)
            ticket.customer = into
            ticket.save(update_fields=["customer", "updated_at"])
        if started_from is not None and started_from.pk not in {t.pk for t in moving}:
            events.record(
                started_from,
                EventKind.CUSTOMER_MERGED,
                actor=by,
                moved=[t.pk for t in moving],
                **what,
            )
        if source_user is not None:
            # Deactivated, never deleted: its tickets' histories and its addresses stay known.
            get_user_model().objects.filter(Q(pk=source_user.pk)).update(is_active=False)
            source_user.is_active = False
    return plan
