"""Merging a duplicate ticket into another: copies, closes, tells the customer, keeps evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.services import create_user
from madoguchi.intake.inbound import InboundAttachment
from madoguchi.tickets.events import verify_history
from madoguchi.tickets.evidence import export_evidence, verify_archive
from madoguchi.tickets.models import (
    Attachment,
    AuthorKind,
    EventKind,
    Message,
    Status,
    Ticket,
)
from madoguchi.tickets.selectors import ticket_for_message_ids
from madoguchi.tickets.services import add_agent_reply, add_internal_note, change_status
from madoguchi.tickets.services.merging import MergeError, MergeErrorCode, merge_tickets
from tests.tickets.conftest import png_bytes

pytestmark = pytest.mark.django_db

MakeTicket = Callable[..., Ticket]
Login = Callable[[Any], Client]


def merge_url(ticket: Ticket) -> str:
    return reverse("tickets:agent_merge", kwargs={"ticket_id": ticket.pk})


@pytest.fixture
def pair(make_ticket: MakeTicket, payments_agent: Any) -> tuple[Ticket, Ticket]:
    """Two tickets of one customer about one deposit; the duplicate has a file and a note."""
    into = make_ticket(subject="入金が反映されません")
    source = make_ticket(
        subject="入金まだですか",
        body="スクリーンショットを送ります。",
        attachments=(InboundAttachment("画面.png", png_bytes(), "image/png"),),
    )
    add_agent_reply(ticket=source, body="確認します。", by=payments_agent)
    add_internal_note(ticket=source, body="重複の可能性", by=payments_agent)
    return source, into


def test_the_duplicates_messages_and_files_are_copied_and_it_is_closed_pointing_at_the_target(
    pair: tuple[Ticket, Ticket], payments_agent: Any
) -> None:
    source, into = pair
    before = list(Message.objects.filter(ticket=source).values_list("pk", "body"))

    result = merge_tickets(source=source, into=into, by=payments_agent)

    source.refresh_from_db()
    assert source.status == Status.CLOSED and source.merged_into_id == into.pk
    assert result.copied_messages == 3 and result.copied_attachments == 1
    bodies = list(Message.objects.filter(ticket=into).values_list("body", "is_internal"))
    assert ("スクリーンショットを送ります。", False) in bodies
    assert ("確認します。", False) in bodies
    assert ("重複の可能性", True) in bodies  # a note stays a note
    # The target says where the copies come from and when they were first sent.
    arrival = Message.objects.get(ticket=into, author_kind=AuthorKind.SYSTEM)
    assert f"#{source.pk}" in arrival.body and not arrival.is_internal
    copied = Attachment.objects.get(ticket=into)
    original = Attachment.objects.get(ticket=source)
    assert copied.sha256 == original.sha256 and copied.file.name == original.file.name
    assert copied.message is not None and copied.message.body == "スクリーンショットを送ります。"
    # The duplicate keeps every message it had, and gains the notice to its customer.
    after = list(Message.objects.filter(ticket=source).values_list("pk", "body"))
    assert after[: len(before)] == before
    notice = Message.objects.filter(ticket=source).last()
    assert notice is not None and notice.author_kind == AuthorKind.SYSTEM
    assert not notice.is_internal and f"#{into.pk}" in notice.body


def test_both_histories_record_the_merge_and_still_verify(
    pair: tuple[Ticket, Ticket], payments_agent: Any
) -> None:
    source, into = pair
    source_events_before = list(source.events.values_list("hash", flat=True))

    merge_tickets(source=source, into=into, by=payments_agent)

    kinds = list(source.events.order_by("sequence").values_list("kind", flat=True))
    added = kinds[len(source_events_before) :]
    # The notice, the merge, the closing (and whatever the SLA clock records on closing).
    assert added[:3] == [EventKind.MESSAGE_ADDED, EventKind.MERGED_INTO, EventKind.STATUS_CHANGED]
    # Nothing earlier was rewritten: the old entries are the same, in the same order.
    assert list(source.events.values_list("hash", flat=True))[: len(source_events_before)] == (
        source_events_before
    )
    merged_from = into.events.get(kind=EventKind.MERGED_FROM)
    assert merged_from.data["source"] == source.pk and merged_from.actor == payments_agent
    copies = into.events.filter(data__merged_from=source.pk)
    assert copies.count() == 4  # three messages and one file
    assert verify_history(source).ok and verify_history(into).ok


def test_the_evidence_of_both_tickets_still_verifies_after_a_merge(
    pair: tuple[Ticket, Ticket], payments_agent: Any
) -> None:
    source, into = pair
    merge_tickets(source=source, into=into, by=payments_agent)

    for ticket in (source, into):
        report = verify_archive(export_evidence(ticket, by=payments_agent), against_records=True)
        assert report.ok, report


def test_a_merge_into_itself_a_closed_ticket_or_from_a_merged_one_is_refused(
    make_ticket: MakeTicket, payments_agent: Any
) -> None:
    first, second, third = make_ticket(), make_ticket(subject="二件目"), make_ticket(subject="三")
    with pytest.raises(MergeError) as same:
        merge_tickets(source=first, into=first, by=payments_agent)
    assert same.value.code == MergeErrorCode.SAME_TICKET

    change_status(ticket=third, status=Status.CLOSED, by=payments_agent)
    with pytest.raises(MergeError) as closed:
        merge_tickets(source=first, into=third, by=payments_agent)
    assert closed.value.code == MergeErrorCode.TARGET_CLOSED

    merge_tickets(source=first, into=second, by=payments_agent)
    with pytest.raises(MergeError) as again:
        merge_tickets(source=first, into=second, by=payments_agent)
    assert again.value.code == MergeErrorCode.ALREADY_MERGED
    # Back the other way would close the loop: the merged ticket is closed and merged.
    with pytest.raises(MergeError) as loop:
        merge_tickets(source=second, into=first, by=payments_agent)
    assert loop.value.code == MergeErrorCode.ALREADY_MERGED


def test_a_ticket_others_were_merged_into_cannot_be_merged_on_so_no_chain_forms(
    make_ticket: MakeTicket, payments_agent: Any
) -> None:
    first, second, third = make_ticket(), make_ticket(subject="二件目"), make_ticket(subject="三")
    merge_tickets(source=first, into=second, by=payments_agent)
    with pytest.raises(MergeError) as chain:
        merge_tickets(source=second, into=third, by=payments_agent)
    assert chain.value.code == MergeErrorCode.HAS_MERGED_TICKETS
    # The other way round is fine: many tickets into one.
    merge_tickets(source=third, into=second, by=payments_agent)


def test_another_customers_ticket_merges_only_when_confirmed_and_only_as_notes(
    make_ticket: MakeTicket, payments_agent: Any
) -> None:
    other = create_user(email="taro@example.jp", password="a-long-customer-password")
    mine = make_ticket()
    theirs = make_ticket(sender_email=other.email, customer_id=other.pk, body="太郎の入金")
    with pytest.raises(MergeError) as refused:
        merge_tickets(source=theirs, into=mine, by=payments_agent)
    assert refused.value.code == MergeErrorCode.OTHER_CUSTOMER
    assert not Message.objects.filter(ticket=mine, body="太郎の入金").exists()

    merge_tickets(source=theirs, into=mine, by=payments_agent, other_customer_confirmed=True)

    copy = Message.objects.get(ticket=mine, body="太郎の入金")
    assert copy.is_internal  # Hanako never reads Taro's words on her request
    notice = Message.objects.filter(ticket=theirs).last()
    assert notice is not None and f"#{mine.pk}" not in notice.body


def test_the_notice_to_the_customer_is_in_the_tickets_language(
    make_ticket: MakeTicket, payments_agent: Any
) -> None:
    into = make_ticket(language="en", subject="Deposit missing")
    source = make_ticket(language="en", subject="Deposit still missing")
    merge_tickets(source=source, into=into, by=payments_agent)
    notice = Message.objects.filter(ticket=source).last()
    assert notice is not None and notice.body.startswith(
        f"This request was merged into request #{into.pk}"
    )


def test_the_customer_sees_the_notice_on_the_merged_request_and_the_copies_on_the_other(
    pair: tuple[Ticket, Ticket], payments_agent: Any, customer: Any, login: Login
) -> None:
    source, into = pair
    merge_tickets(source=source, into=into, by=payments_agent)
    client = login(customer)
    page = client.get(reverse("support:ticket", kwargs={"ticket_id": into.pk})).content.decode()
    assert "スクリーンショットを送ります。" in page and "重複の可能性" not in page
    old = client.get(reverse("support:ticket", kwargs={"ticket_id": source.pk})).content.decode()
    assert f"#{into.pk}" in old


def test_an_agent_merges_through_the_page_after_seeing_what_moves(
    pair: tuple[Ticket, Ticket], payments_agent: Any, login: Login
) -> None:
    source, into = pair
    client = login(payments_agent)
    assert client.get(merge_url(source)).status_code == 200

    preview = client.post(merge_url(source), {"into": into.pk})
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "3" in text and 'name="confirm"' in text
    source.refresh_from_db()
    assert source.merged_into_id is None  # nothing happened yet

    done = client.post(merge_url(source), {"into": into.pk, "confirm": "1"})
    assert done.status_code == 302 and done["Location"].endswith(f"/tickets/{into.pk}/#links")
    source.refresh_from_db()
    assert source.merged_into_id == into.pk
    page = client.get(reverse("tickets:agent_ticket", kwargs={"ticket_id": source.pk}))
    assert f"#{into.pk}" in page.content.decode()


def test_the_page_asks_again_for_another_customers_ticket(
    make_ticket: MakeTicket, payments_agent: Any, login: Login
) -> None:
    other = create_user(email="taro@example.jp", password="a-long-customer-password")
    mine = make_ticket()
    theirs = make_ticket(sender_email=other.email, customer_id=other.pk)
    client = login(payments_agent)
    preview = client.post(merge_url(theirs), {"into": mine.pk})
    assert 'name="other_customer"' in preview.content.decode()
    refused = client.post(merge_url(theirs), {"into": mine.pk, "confirm": "1"})
    assert refused.status_code == 400
    theirs.refresh_from_db()
    assert theirs.merged_into_id is None
    done = client.post(merge_url(theirs), {"into": mine.pk, "confirm": "1", "other_customer": "1"})
    assert done.status_code == 302


def test_another_groups_ticket_is_not_found_on_either_side_of_a_merge(
    make_ticket: MakeTicket, payments_agent: Any, general_agent: Any, login: Login
) -> None:
    mine = make_ticket()
    theirs = make_ticket(problem_type="account", subject="ログインできません", fields={})
    assert theirs.group is not None and theirs.group.slug != "payments"
    client = login(payments_agent)
    missing = client.post(merge_url(mine), {"into": 999_999, "confirm": "1"})
    forbidden = client.post(merge_url(mine), {"into": theirs.pk, "confirm": "1"})
    assert missing.status_code == forbidden.status_code == 404
    assert client.post(merge_url(theirs), {"into": mine.pk}).status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.merged_into_id is None and theirs.merged_into_id is None


def test_a_customer_cannot_reach_the_merge_page(
    pair: tuple[Ticket, Ticket], customer: Any, login: Login
) -> None:
    source, into = pair
    response = login(customer).post(merge_url(source), {"into": into.pk, "confirm": "1"})
    assert response.status_code == 404


def test_a_ticket_of_another_group_merged_in_is_counted_but_not_named(
    make_ticket: MakeTicket, admin_user: Any, payments_agent: Any, login: Login
) -> None:
    mine = make_ticket()
    theirs = make_ticket(problem_type="account", subject="秘密の件名", fields={})
    merge_tickets(source=theirs, into=mine, by=admin_user)
    page = login(payments_agent).get(reverse("tickets:agent_ticket", kwargs={"ticket_id": mine.pk}))
    html = page.content.decode()
    assert "秘密の件名" not in html
    assert "agent-links__merged-in" in html


def test_a_mail_reply_to_an_answer_of_the_duplicate_threads_to_the_ticket_that_goes_on(
    make_ticket: MakeTicket, payments_agent: Any
) -> None:
    into, source = make_ticket(), make_ticket(subject="二件目")
    add_agent_reply(
        ticket=source, body="確認します。", by=payments_agent, external_id="<a1@madoguchi>"
    )
    merge_tickets(source=source, into=into, by=payments_agent)
    found = ticket_for_message_ids(["<a1@madoguchi>"])
    assert found is not None and found.pk == into.pk


def test_another_customers_mail_replies_never_thread_to_the_ticket_merged_into(
    make_ticket: MakeTicket, payments_agent: Any
) -> None:
    other = create_user(email="taro@example.jp", password="a-long-customer-password")
    mine = make_ticket()
    theirs = make_ticket(sender_email=other.email, customer_id=other.pk)
    add_agent_reply(
        ticket=theirs, body="確認します。", by=payments_agent, external_id="<t1@madoguchi>"
    )
    merge_tickets(source=theirs, into=mine, by=payments_agent, other_customer_confirmed=True)
    found = ticket_for_message_ids(["<t1@madoguchi>"])
    assert found is not None and found.pk == theirs.pk
