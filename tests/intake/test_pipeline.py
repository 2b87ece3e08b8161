"""intake.receive: every channel's messages go through the same steps."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from madoguchi import intake
from madoguchi.accounts.services import create_user
from madoguchi.intake import pipeline
from madoguchi.intake.inbound import InboundAttachment, InboundMessage
from madoguchi.intake.models import QuarantinedMessage, QuarantineStatus
from madoguchi.tickets.events import verify_history
from madoguchi.tickets.models import (
    AuthorKind,
    Priority,
    Status,
    SupportGroup,
    Ticket,
    TicketEvent,
)
from madoguchi.tickets.permissions import visible_tickets, works_on
from madoguchi.tickets.services.merging import merge_tickets

pytestmark = pytest.mark.django_db

SEED = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)


def web(**changes: Any) -> InboundMessage:
    values: dict[str, Any] = {
        "channel": "web",
        "subject": "入金が反映されません",
        "body": "昨日BTCを送金しましたが、まだ反映されていません。",
        "sender_email": "Taro@Example.JP",
        "problem_type": "deposit",
        "fields": {"coin": "BTC", "network": "BTC"},
    }
    values.update(changes)
    return InboundMessage(**values)


def test_a_visitors_deposit_ticket_is_stored_routed_and_hidden_until_confirmed(
    payments_agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outcome = intake.receive(web())

    assert outcome.outcome == "created"
    ticket = Ticket.objects.get(pk=outcome.ticket_id)
    assert ticket.group is not None and ticket.group.slug == "payments"
    assert ticket.language == "ja"
    assert ticket.requester_email == "taro@example.jp"
    assert ticket.details == {"coin": "BTC", "network": "BTC"}
    assert ticket.first_response_due_at is not None
    assert not visible_tickets(payments_agent).filter(pk=ticket.pk).exists()
    (confirmation,) = mail.outbox
    assert confirmation.to == ["taro@example.jp"]
    assert "/support/confirm/" in confirmation.body
    assert verify_history(ticket).ok


def test_a_seed_phrase_is_removed_the_sender_told_and_security_alerted(
    security_agent: Any, customer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outcome = intake.receive(
            web(
                body=f"ウォレットの復元フレーズです: {SEED}",
                customer_id=customer.pk,
                sender_email=customer.email,
                email_verified=True,
            )
        )
    ticket = Ticket.objects.get(pk=outcome.ticket_id)
    stored = "\n".join(ticket.messages.values_list("body", flat=True))
    assert "abandon" not in stored
    assert (
        outcome.notices and "シードフレーズ" in outcome.notices[0]
    ) or "復元" in outcome.notices[0]
    assert ticket.priority == Priority.URGENT
    assert ticket.group is not None and ticket.group.handles_security
    assert ticket.messages.filter(author_kind=AuthorKind.SYSTEM, is_internal=False).exists()
    alert = next(m for m in mail.outbox if m.to == [security_agent.email])
    assert f"#{ticket.pk}" in alert.subject
    assert "abandon" not in alert.body
    assert not QuarantinedMessage.objects.exists()
    assert "abandon" not in str(list(TicketEvent.objects.values_list("data", flat=True)))


def test_each_security_agent_gets_the_alert_alone_with_their_own_anti_phishing_code(
    security_agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    security_agent.anti_phishing_code = "見張り番7"
    security_agent.save(update_fields=["anti_phishing_code"])
    colleague = create_user(
        email="sec2@tsukimi.example", password="a-long-agent-password", role="agent"
    )
    SupportGroup.objects.get(slug="security").members.add(colleague)
    with django_capture_on_commit_callbacks(execute=True):
        intake.receive(web(problem_type="login", body="アカウントが乗っ取られました"))

    mine = next(m for m in mail.outbox if m.to == [security_agent.email])
    theirs = next(m for m in mail.outbox if m.to == [colleague.email])
    assert mine.body.splitlines()[0] == "あなたのフィッシング対策コード: 見張り番7"
    assert "見張り番7" not in theirs.body
    assert mine.subject == theirs.subject


def test_an_account_takeover_goes_to_the_security_group_as_urgent(security_agent: Any) -> None:
    outcome = intake.receive(
        web(
            problem_type="login",
            subject="アカウントが乗っ取られました",
            body="パスワードが勝手に変更されています",
        )
    )
    ticket = Ticket.objects.get(pk=outcome.ticket_id)
    assert ticket.priority == Priority.URGENT
    assert ticket.group is not None and ticket.group.slug == "security"
    assert ticket.events.filter(kind="security_alert").exists()


def test_a_lookalike_link_is_defanged_and_flagged() -> None:
    outcome = intake.receive(
        web(body="サポートから https://tsukimi-support.example.com/login に入れと言われました")
    )
    ticket = Ticket.objects.get(pk=outcome.ticket_id)
    body = ticket.messages.get(author_kind="customer").body
    assert "https://tsukimi-support.example.com" not in body
    assert "hxxps://" in body
    assert any(flag["kind"] == "lookalike_link" for flag in ticket.safety_flags)


def test_auto_replies_are_dropped_and_a_double_submission_makes_one_ticket() -> None:
    assert intake.receive(web(is_automated=True)).outcome == "dropped"
    first = intake.receive(web())
    second = intake.receive(web())
    assert second.outcome == "dropped"
    assert second.ticket_id == first.ticket_id
    assert Ticket.objects.count() == 1


def test_a_reply_from_someone_else_is_held_and_joins_only_when_released(customer: Any) -> None:
    ticket_id = intake.receive(
        web(customer_id=customer.pk, sender_email=customer.email, email_verified=True)
    ).ticket_id
    held = intake.receive(
        web(ticket_id=ticket_id, sender_email="stranger@example.com", body="私のチケットです")
    )
    assert held.outcome == "held"
    row = QuarantinedMessage.objects.get(pk=held.quarantine_id)
    assert row.status == QuarantineStatus.HELD
    assert Ticket.objects.get(pk=ticket_id).messages.count() == 1

    from madoguchi.intake.quarantine import retry

    assert retry(row.pk).outcome == "held"
    released = retry(row.pk, release_hold=True)
    assert released.outcome == "appended"
    assert Ticket.objects.get(pk=ticket_id).messages.filter(body="私のチケットです").exists()


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(customer: Any) -> None:
    first = intake.receive(
        web(customer_id=customer.pk, sender_email=customer.email, email_verified=True)
    )
    Ticket.objects.filter(pk=first.ticket_id).update(status=Status.CLOSED)
    reply = intake.receive(
        web(
            ticket_id=first.ticket_id,
            customer_id=customer.pk,
            sender_email=customer.email,
            body="まだ届いていません",
        )
    )
    assert reply.outcome == "created"
    assert reply.ticket_id != first.ticket_id
    clicked_twice = intake.receive(
        web(
            ticket_id=first.ticket_id,
            customer_id=customer.pk,
            sender_email=customer.email,
            body="まだ届いていません",
        )
    )
    assert (clicked_twice.outcome, clicked_twice.ticket_id) == ("dropped", reply.ticket_id)
    assert Ticket.objects.get(pk=reply.ticket_id).details["follow_up_of"] == f"#{first.ticket_id}"


def test_a_reply_to_a_merged_duplicate_continues_on_the_ticket_it_was_merged_into(
    customer: Any,
) -> None:
    sender = {"customer_id": customer.pk, "sender_email": customer.email, "email_verified": True}
    kept = intake.receive(web(subject="入金が反映されない", **sender)).ticket_id
    again = web(subject="入金の件（再送）", body="二通目です", **sender)
    duplicate = intake.receive(again).ticket_id
    merge_tickets(
        source=Ticket.objects.get(pk=duplicate), into=Ticket.objects.get(pk=kept), by=None
    )
    reply = intake.receive(web(ticket_id=duplicate, body="その後どうなりましたか", **sender))
    assert (reply.outcome, reply.ticket_id) == ("appended", kept)
    assert Ticket.objects.get(pk=kept).messages.filter(body="その後どうなりましたか").exists()
    assert Ticket.objects.get(pk=duplicate).status == Status.CLOSED


def test_a_reply_to_a_duplicate_merged_into_another_customers_ticket_opens_a_follow_up(
    customer: Any,
) -> None:
    other = intake.receive(
        web(sender_email="someone-else@example.com", subject="同じ障害です")
    ).ticket_id
    Ticket.objects.filter(pk=other).update(email_confirmed_at=timezone.now())
    sender = {"customer_id": customer.pk, "sender_email": customer.email, "email_verified": True}
    duplicate = intake.receive(web(subject="同じ障害です", **sender)).ticket_id
    merge_tickets(
        source=Ticket.objects.get(pk=duplicate),
        into=Ticket.objects.get(pk=other),
        by=None,
        other_customer_confirmed=True,
    )
    reply = intake.receive(web(ticket_id=duplicate, body="まだ直りません", **sender))
    assert reply.outcome == "created"
    assert reply.ticket_id not in (duplicate, other)
    assert not Ticket.objects.get(pk=other).messages.filter(body="まだ直りません").exists()


def test_a_failing_step_keeps_the_message_and_retry_takes_it_in(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(message: InboundMessage) -> InboundMessage:
        raise RuntimeError("database went away")

    steps = list(pipeline.STEPS)
    steps[steps.index(pipeline.store)] = broken
    monkeypatch.setattr(pipeline, "STEPS", tuple(steps))
    outcome = intake.receive(
        web(body=f"seed: {SEED}", attachments=(InboundAttachment("a.csv", b"date,amount\n1,2\n"),))
    )
    assert outcome.outcome == "quarantined"
    assert not Ticket.objects.exists()
    row = QuarantinedMessage.objects.get()
    assert "abandon" not in str(row.payload)

    monkeypatch.undo()
    call_command("intake", "retry", str(row.pk))
    assert "created" in capsys.readouterr().out
    ticket = Ticket.objects.get()
    assert ticket.attachments.get().name == "a.csv"
    row.refresh_from_db()
    assert row.status == QuarantineStatus.RESOLVED and row.ticket_id == ticket.pk


def test_an_unreadable_sender_is_quarantined_not_lost() -> None:
    outcome = intake.receive(web(sender_email="not an address"))
    assert outcome.outcome == "quarantined"
    assert QuarantinedMessage.objects.get().payload["sender_email"] == "not an address"


def test_a_card_number_alerts_the_security_group_without_moving_the_ticket(
    security_agent: Any, payments_agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outcome = intake.receive(
            web(body="カード番号 4111 1111 1111 1111 で入金しました", email_verified=True)
        )
    ticket = Ticket.objects.get(pk=outcome.ticket_id)
    assert "4111" not in ticket.messages.get(author_kind="customer").body
    assert ticket.group is not None and ticket.group.slug == "payments"
    assert ticket.priority != Priority.URGENT
    alert = next(m for m in mail.outbox if m.to == [security_agent.email])
    assert "card_number" in alert.body and "4111" not in alert.body
    assert all(payments_agent.email not in m.to for m in mail.outbox)
    # The security group can open what it was alerted to; the payments group keeps its ticket.
    assert visible_tickets(security_agent).filter(pk=ticket.pk).exists()
    assert works_on(security_agent, ticket)
    assert visible_tickets(payments_agent).filter(pk=ticket.pk).exists()


def test_the_security_group_sees_only_the_tickets_it_was_alerted_to(
    security_agent: Any, payments_agent: Any
) -> None:
    quiet = Ticket.objects.get(pk=intake.receive(web(email_verified=True)).ticket_id)
    takeover = Ticket.objects.get(
        pk=intake.receive(
            web(problem_type="security", subject="乗っ取られました", email_verified=True)
        ).ticket_id
    )
    assert not visible_tickets(security_agent).filter(pk=quiet.pk).exists()
    assert not works_on(security_agent, quiet)
    assert list(visible_tickets(security_agent)) == [takeover]
    assert not visible_tickets(payments_agent).filter(pk=takeover.pk).exists()


def test_a_failure_is_logged_without_what_the_customer_wrote(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def leaky(message: InboundMessage) -> InboundMessage:
        raise ValueError(f"cannot store {message.sender_email}: {message.body}")

    steps = list(pipeline.STEPS)
    steps[steps.index(pipeline.store)] = leaky
    monkeypatch.setattr(pipeline, "STEPS", tuple(steps))
    outcome = intake.receive(web(body="住所は東京都千代田区1-1です"))
    assert outcome.outcome == "quarantined"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "leaky" in logged and "ValueError" in logged
    assert "taro@example.jp" not in logged and "千代田区" not in logged
    assert "千代田区" in QuarantinedMessage.objects.get().reason


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("入金について", "昨日送ったETHが反映されません", "deposit"),
        ("Withdrawal pending", "My BTC withdrawal has been pending for 6 hours", "withdrawal"),
        ("ﾛｸﾞｲﾝできない", "パスワードを入れてもエラーになります", "login"),
        ("質問", "指値の注文が約定しません", "trading"),
        ("KYC", "My verification documents were rejected", "account"),
        ("こんにちは", "ご担当者様", "other"),
    ],
)
def test_a_message_without_a_problem_type_gets_the_one_its_words_name(
    subject: str, body: str, expected: str
) -> None:
    outcome = intake.receive(
        web(problem_type="", fields={}, subject=subject, body=body, channel="email")
    )
    ticket = Ticket.objects.select_related("problem_type").get(pk=outcome.ticket_id)
    assert ticket.problem_type is not None and ticket.problem_type.slug == expected


def test_full_width_words_of_a_takeover_are_still_a_security_problem(security_agent: Any) -> None:
    outcome = intake.receive(
        web(problem_type="", subject="２ＦＡの端末を紛失しました", body="助けてください")
    )
    ticket = Ticket.objects.get(pk=outcome.ticket_id)
    assert ticket.priority == Priority.URGENT
    assert ticket.group is not None and ticket.group.slug == "security"
