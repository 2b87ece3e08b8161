"""Merging two customer records of one person, with their tickets, without opening a way in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.services import create_user
from madoguchi.tickets.events import verify_history
from madoguchi.tickets.evidence import export_evidence, verify_archive
from madoguchi.tickets.models import EventKind, Ticket
from madoguchi.tickets.services.customers import (
    CustomerMergeError,
    CustomerMergeErrorCode,
    merge_customers,
    plan_customer_merge,
)

pytestmark = pytest.mark.django_db

MakeTicket = Callable[..., Ticket]
Login = Callable[[Any], Client]
OLD_PASSWORD = "the-old-account-password"


@pytest.fixture
def old_account(db: None) -> Any:
    """The same person's second account, signed up with another address."""
    user = create_user(email="hanako.old@example.jp", password=OLD_PASSWORD)
    EmailAddress.objects.create(user=user, email="hanako.work@example.jp", verified=False)
    return user


def merge_url(ticket: Ticket) -> str:
    return reverse("tickets:agent_merge_customer", kwargs={"ticket_id": ticket.pk})


def test_the_old_accounts_tickets_move_and_each_records_the_merge(
    make_ticket: MakeTicket, customer: Any, old_account: Any, payments_agent: Any
) -> None:
    kept = make_ticket()
    moved = [
        make_ticket(sender_email=old_account.email, customer_id=old_account.pk, subject=f"旧{n}")
        for n in range(2)
    ]

    plan = merge_customers(source=old_account, into=customer, by=payments_agent)

    assert plan.total == 2
    for ticket in moved:
        ticket.refresh_from_db()
        assert ticket.customer_id == customer.pk
        assert ticket.requester_email == old_account.email  # where they wrote from
        entry = ticket.events.get(kind=EventKind.CUSTOMER_MERGED)
        assert entry.actor == payments_agent
        assert entry.data["from_user"] == old_account.pk
        assert entry.data["into_user"] == customer.pk
        assert entry.data["from_emails"] == ["hanako.old@example.jp", "hanako.work@example.jp"]
        assert verify_history(ticket).ok
        assert verify_archive(export_evidence(ticket, by=payments_agent), against_records=True).ok
    assert not kept.events.filter(kind=EventKind.CUSTOMER_MERGED).exists()
    old_account.refresh_from_db()
    assert not old_account.is_active


def test_the_old_addresses_never_lead_into_the_account_that_goes_on(
    make_ticket: MakeTicket, customer: Any, old_account: Any, payments_agent: Any
) -> None:
    make_ticket(sender_email=old_account.email, customer_id=old_account.pk)
    merge_customers(source=old_account, into=customer, by=payments_agent)

    # No address row of the old account was moved to or copied onto the account that goes on.
    assert list(EmailAddress.objects.filter(user=customer).values_list("email", flat=True)) == [
        customer.email
    ]
    client = Client()
    for address in ("hanako.old@example.jp", "hanako.work@example.jp"):
        response = client.post("/ja/accounts/login/", {"login": address, "password": OLD_PASSWORD})
        assert "_auth_user_id" not in client.session, address
        assert response.status_code in (200, 302)
        # A password reset to the old addresses reaches no account at all.
        mail.outbox.clear()
        client.post("/ja/accounts/password/reset/", {"email": address})
        assert not [m for m in mail.outbox if "password/reset/key" in m.body], address


def test_a_signed_in_session_of_the_old_account_ends(
    customer: Any, old_account: Any, payments_agent: Any
) -> None:
    client = Client()
    client.force_login(old_account)
    merge_customers(source=old_account, into=customer, by=payments_agent)
    response = client.get(reverse("support:my_tickets"))
    assert not response.wsgi_request.user.is_authenticated


def test_a_visitors_tickets_by_email_move_to_the_account(
    make_ticket: MakeTicket, customer: Any, payments_agent: Any, login: Login
) -> None:
    visitor = make_ticket(
        sender_email="hanako.phone@example.jp", customer_id=None, email_verified=True
    )
    assert visitor.customer_id is None

    plan = merge_customers(source="Hanako.Phone@example.jp", into=customer, by=payments_agent)

    assert plan.source_user is None and plan.total == 1
    visitor.refresh_from_db()
    assert visitor.customer_id == customer.pk
    assert visitor.events.get(kind=EventKind.CUSTOMER_MERGED).data["from_user"] is None
    assert not EmailAddress.objects.filter(email__iexact="hanako.phone@example.jp").exists()
    page = login(customer).get(reverse("support:ticket", kwargs={"ticket_id": visitor.pk}))
    assert page.status_code == 200


def test_merges_that_make_no_sense_are_refused(
    customer: Any, old_account: Any, payments_agent: Any
) -> None:
    cases = [
        (dict(source=customer, into=customer, by=payments_agent), "same_customer"),
        (dict(source=payments_agent, into=customer, by=payments_agent), "not_a_customer"),
        (dict(source=old_account, into=customer, by=customer), "not_allowed"),
        (dict(source="nobody@example.jp", into=customer, by=payments_agent), "nothing"),
    ]
    for arguments, code in cases:
        with pytest.raises(CustomerMergeError) as refused:
            merge_customers(**arguments)
        assert refused.value.code == CustomerMergeErrorCode(code)
    merge_customers(source=old_account, into=customer, by=payments_agent)
    with pytest.raises(CustomerMergeError) as again:
        merge_customers(source=old_account, into=customer, by=payments_agent)
    assert again.value.code == CustomerMergeErrorCode.INACTIVE


def test_an_agent_cannot_move_tickets_of_groups_they_do_not_work_in(
    make_ticket: MakeTicket, customer: Any, old_account: Any, payments_agent: Any, admin_user: Any
) -> None:
    elsewhere = make_ticket(
        sender_email=old_account.email,
        customer_id=old_account.pk,
        problem_type="account",
        subject="ログインできません",
        fields={},
    )
    with pytest.raises(CustomerMergeError) as refused:
        plan_customer_merge(source=old_account, into=customer, by=payments_agent)
    assert refused.value.code == CustomerMergeErrorCode.HIDDEN_TICKETS
    elsewhere.refresh_from_db()
    assert elsewhere.customer_id == old_account.pk
    # An administrator sees every group's tickets and may merge.
    merge_customers(source=old_account, into=customer, by=admin_user)
    elsewhere.refresh_from_db()
    assert elsewhere.customer_id == customer.pk


def test_the_agent_confirms_after_seeing_what_moves(
    make_ticket: MakeTicket, customer: Any, old_account: Any, payments_agent: Any, login: Login
) -> None:
    ticket = make_ticket()
    moving = make_ticket(sender_email=old_account.email, customer_id=old_account.pk, subject="旧")
    client = login(payments_agent)
    panel = client.get(reverse("tickets:agent_ticket", kwargs={"ticket_id": ticket.pk}))
    assert merge_url(ticket) in panel.content.decode()
    assert client.get(merge_url(ticket)).status_code == 200

    preview = client.post(merge_url(ticket), {"email": old_account.email})
    text = preview.content.decode()
    assert preview.status_code == 200
    assert f"#{moving.pk}" in text and "hanako.work@example.jp" in text
    moving.refresh_from_db()
    assert moving.customer_id == old_account.pk  # not yet

    done = client.post(merge_url(ticket), {"email": old_account.email, "confirm": "1"})
    assert done.status_code == 302
    moving.refresh_from_db()
    assert moving.customer_id == customer.pk
    # The ticket the agent started from records the merge too, naming what moved.
    entry = ticket.events.get(kind=EventKind.CUSTOMER_MERGED)
    assert entry.data["moved"] == [moving.pk] and entry.actor == payments_agent
    assert verify_history(ticket).ok


def test_another_groups_ticket_and_a_customer_get_the_same_not_found(
    make_ticket: MakeTicket, customer: Any, old_account: Any, payments_agent: Any, login: Login
) -> None:
    theirs = make_ticket(problem_type="account", subject="ログインできません", fields={})
    data = {"email": old_account.email, "confirm": "1"}
    assert login(payments_agent).post(merge_url(theirs), data).status_code == 404
    mine = make_ticket()
    assert login(customer).post(merge_url(mine), data).status_code == 404
    old_account.refresh_from_db()
    assert old_account.is_active
