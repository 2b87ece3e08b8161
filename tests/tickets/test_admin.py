"""The admin of support: groups, problem types and their fields, tags, tickets read-only, history
that nobody can edit, and the quarantine with its retry actions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from madoguchi import intake
from madoguchi.intake import pipeline
from madoguchi.intake.inbound import InboundMessage
from madoguchi.intake.models import QuarantinedMessage, QuarantineStatus
from madoguchi.tickets import services
from madoguchi.tickets.events import verify_history
from madoguchi.tickets.models import (
    ProblemField,
    ProblemType,
    Status,
    SupportGroup,
    Tag,
    Ticket,
    TicketEvent,
)
from madoguchi.tickets.selectors import active_problem_types

pytestmark = pytest.mark.django_db

ADMIN = "/en/admin"
Login = Callable[[Any], Client]


@pytest.fixture
def admin_client(admin_user: Any, login: Login) -> Client:
    return login(admin_user)


def notices(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def problem_type_post(**changes: Any) -> dict[str, Any]:
    """The add form of a problem type with one choice field, as a browser would send it."""
    data: dict[str, Any] = {
        "slug": "staking",
        "name_ja": "ステーキングの報酬が届かない",
        "name_en": "Staking reward missing",
        "description_ja": "",
        "description_en": "",
        "position": "80",
        "is_active": "on",
        "default_priority": "normal",
        "group": str(SupportGroup.objects.get(slug="payments").pk),
        "response_hours": json.dumps({"urgent": 1, "high": 8, "normal": 24, "low": 72}),
        "fields-TOTAL_FORMS": "1",
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
        "fields-0-key": "product",
        "fields-0-kind": "choice",
        "fields-0-label_ja": "商品",
        "fields-0-label_en": "Product",
        "fields-0-help_ja": "",
        "fields-0-help_en": "",
        "fields-0-required": "on",
        "fields-0-choices": json.dumps(
            [
                {"value": "flexible", "ja": "フレキシブル", "en": "Flexible"},
                {"value": "locked", "ja": "ロック型", "en": "Locked"},
            ],
            ensure_ascii=False,
        ),
        "fields-0-position": "1",
    }
    data.update(changes)
    return data


# ---- problem types and their fields --------------------------------------------------------


def test_an_admin_adds_a_problem_type_with_its_fields_without_code(admin_client: Client) -> None:
    response = admin_client.post(f"{ADMIN}/tickets/problemtype/add/", problem_type_post())
    assert response.status_code == 302, response.content.decode()[:3000]
    problem_type = ProblemType.objects.get(slug="staking")
    field = problem_type.fields.get()
    assert (field.key, field.kind, field.required) == ("product", "choice", True)
    assert field.choices[1] == {"value": "locked", "ja": "ロック型", "en": "Locked"}
    assert problem_type in active_problem_types()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"fields-0-choices": '{"value": "a"}'}, "Write the choices as a list"),
        ({"fields-0-choices": '[{"value": "a", "ja": "あ"}]'}, "must have exactly"),
        ({"fields-0-choices": '[{"value": "", "ja": "あ", "en": "a"}]'}, "non-empty text"),
        ({"fields-0-choices": '[{"value": 1, "ja": "あ", "en": "a"}]'}, "non-empty text"),
        (
            {
                "fields-0-choices": json.dumps(
                    [{"value": "a", "ja": "あ", "en": "a"}, {"value": "a", "ja": "い", "en": "b"}]
                )
            },
            "is used by two choices",
        ),
        ({"fields-0-choices": "[not json"}, "Enter a valid JSON"),
        ({"fields-0-choices": "[]"}, "A choice field needs at least one choice"),
        (
            {"fields-0-kind": "text"},
            "Only a choice field has choices",
        ),
        ({"fields-0-kind": "script"}, "Select a valid choice"),
        ({"fields-0-key": "coin name!"}, "Enter a valid “slug”"),
        ({"fields-0-key": ""}, "This field is required"),
        ({"slug": "日本語 スラッグ"}, "Enter a valid “slug”"),
        ({"response_hours": '{"urgent": 1}'}, "Give whole hours for each priority"),
        (
            {"response_hours": '{"urgent": 0, "high": 8, "normal": 24, "low": 72}'},
            "Hours must be between 1 and",
        ),
        (
            {"response_hours": '{"urgent": "1", "high": 8, "normal": 24, "low": 72}'},
            "Give whole hours for each priority",
        ),
    ],
)
def test_a_problem_type_or_field_that_does_not_fit_is_refused_with_a_reason(
    changes: dict[str, Any], error: str, admin_client: Client
) -> None:
    response = admin_client.post(f"{ADMIN}/tickets/problemtype/add/", problem_type_post(**changes))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ProblemType.objects.filter(slug="staking").exists()
    assert not ProblemField.objects.filter(key="product").exists()


def test_two_fields_of_one_problem_type_cannot_share_a_key(admin_client: Client) -> None:
    data = problem_type_post(**{"fields-TOTAL_FORMS": "2"})
    for name in ("key", "kind", "label_ja", "label_en", "help_ja", "help_en", "position"):
        data[f"fields-1-{name}"] = data[f"fields-0-{name}"]
    data["fields-1-kind"] = "text"
    data["fields-1-choices"] = "[]"
    response = admin_client.post(f"{ADMIN}/tickets/problemtype/add/", data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for key" in response.content.decode()
    assert not ProblemType.objects.filter(slug="staking").exists()


def test_the_seeded_problem_types_open_in_the_admin_with_their_fields(
    admin_client: Client,
) -> None:
    deposit = ProblemType.objects.get(slug="deposit")
    response = admin_client.get(f"{ADMIN}/tickets/problemtype/{deposit.pk}/change/")
    assert response.status_code == 200
    assert "deposit_address" in response.content.decode()
    assert admin_client.get(f"{ADMIN}/tickets/problemtype/").status_code == 200


# ---- groups and tags ----------------------------------------------------------------------


def test_an_admin_edits_the_members_of_a_group(
    admin_client: Client, make_agent: Callable[..., Any], customer: Any
) -> None:
    agent = make_agent("newcomer")
    payments = SupportGroup.objects.get(slug="payments")
    url = f"{ADMIN}/tickets/supportgroup/{payments.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert agent.email in page
    assert customer.email not in page  # a customer is never offered as a member

    response = admin_client.post(
        url,
        {
            "slug": "payments",
            "name_ja": payments.name_ja,
            "name_en": payments.name_en,
            "assignment": "manual",
            "members": [str(agent.pk)],
        },
    )
    assert response.status_code == 302
    assert list(payments.members.all()) == [agent]

    response = admin_client.post(
        url,
        {
            "slug": "payments",
            "name_ja": payments.name_ja,
            "name_en": payments.name_en,
            "assignment": "manual",
            "members": [str(customer.pk)],
        },
    )
    assert response.status_code == 200
    assert list(payments.members.all()) == [agent]
    listing = admin_client.get(f"{ADMIN}/tickets/supportgroup/").content.decode()
    assert "Deposits and withdrawals" in listing


def test_a_tag_in_use_is_changed_only_on_its_tickets(
    admin_client: Client, payments_agent: Any, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    services.set_tags(ticket=ticket, tags=["vip"], by=payments_agent)
    unused = Tag.objects.create(name="unused")
    used = Tag.objects.get(name="vip")
    assert admin_client.get(f"{ADMIN}/tickets/tag/").status_code == 200
    assert (
        admin_client.post(f"{ADMIN}/tickets/tag/{used.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert (
        admin_client.post(f"{ADMIN}/tickets/tag/{used.pk}/change/", {"name": "gold"}).status_code
        == 403
    )
    assert Tag.objects.filter(name="vip").exists()
    response = admin_client.post(f"{ADMIN}/tickets/tag/{unused.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Tag.objects.filter(name="unused").exists()


# ---- tickets and their history ------------------------------------------------------------


def test_tickets_are_listed_with_filters_and_shown_read_only(
    admin_client: Client, make_ticket: Callable[..., Ticket]
) -> None:
    confirmed = make_ticket(subject="確認済みの問い合わせ")
    hidden = make_ticket(
        customer_id=None, email_verified=False, sender_email="v@example.com", subject="未確認"
    )
    listing = admin_client.get(f"{ADMIN}/tickets/ticket/", {"confirmed": "no"}).content.decode()
    assert hidden.subject in listing and confirmed.subject not in listing
    listing = admin_client.get(
        f"{ADMIN}/tickets/ticket/", {"status__exact": "new", "group__id__exact": confirmed.group_id}
    ).content.decode()
    assert confirmed.subject in listing

    url = f"{ADMIN}/tickets/ticket/{confirmed.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert f"/en/agent/tickets/{confirmed.pk}/" in page
    assert 'name="_save"' not in page
    response = admin_client.post(url, {"subject": "書き換え", "status": "closed"})
    assert response.status_code == 403
    confirmed.refresh_from_db()
    assert confirmed.subject == "確認済みの問い合わせ" and confirmed.status == Status.NEW
    assert admin_client.get(f"{ADMIN}/tickets/ticket/add/").status_code == 403
    assert (
        admin_client.post(
            f"{ADMIN}/tickets/ticket/{confirmed.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


def test_nobody_can_add_change_or_delete_history_in_the_admin_not_even_a_superuser(
    admin_user: Any, admin_client: Client, make_ticket: Callable[..., Ticket]
) -> None:
    assert admin_user.is_superuser
    ticket = make_ticket()
    event = ticket.events.order_by("sequence").first()
    assert event is not None
    base = f"{ADMIN}/tickets/ticketevent"

    listing = admin_client.get(f"{base}/")
    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    page = admin_client.get(f"{base}/{event.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert event.hash in page.content.decode()

    assert admin_client.get(f"{base}/add/").status_code == 403
    assert admin_client.post(f"{base}/add/", {"kind": "created"}).status_code == 403
    assert (
        admin_client.post(f"{base}/{event.pk}/change/", {"actor_label": "someone else"}).status_code
        == 403
    )
    assert admin_client.post(f"{base}/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(
        f"{base}/",
        {"action": "delete_selected", "_selected_action": [str(event.pk)], "post": "yes"},
    ).status_code in (200, 302)
    assert TicketEvent.objects.filter(pk=event.pk, actor_label=event.actor_label).exists()
    assert verify_history(ticket).ok


def test_an_agent_cannot_open_the_support_configuration(payments_agent: Any, login: Login) -> None:
    client = login(payments_agent)
    for path in ("tickets/ticketevent/", "tickets/problemtype/", "intake/quarantinedmessage/"):
        assert client.get(f"{ADMIN}/{path}").status_code == 403


# ---- the quarantine -----------------------------------------------------------------------


def failing_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store step fails as it would if the database went away for a moment."""

    def store(message: InboundMessage) -> InboundMessage:
        raise RuntimeError("database went away")

    steps = list(pipeline.STEPS)
    steps[steps.index(pipeline.store)] = store
    monkeypatch.setattr(pipeline, "STEPS", tuple(steps))


def quarantined(monkeypatch: pytest.MonkeyPatch) -> QuarantinedMessage:
    failing_store(monkeypatch)
    outcome = intake.receive(
        InboundMessage(
            channel="web",
            subject="出金が届きません",
            body="昨日の出金がまだ届いていません。",
            sender_email="taro@example.jp",
            email_verified=True,
            problem_type="withdrawal",
        )
    )
    monkeypatch.undo()
    assert outcome.outcome == "quarantined"
    return QuarantinedMessage.objects.get(pk=outcome.quarantine_id)


def held_reply(make_ticket: Callable[..., Ticket]) -> tuple[Ticket, QuarantinedMessage]:
    ticket = make_ticket()
    outcome = intake.receive(
        InboundMessage(
            channel="web",
            ticket_id=ticket.pk,
            sender_email="stranger@example.com",
            body="私のチケットです",
        )
    )
    assert outcome.outcome == "held"
    return ticket, QuarantinedMessage.objects.get(pk=outcome.quarantine_id)


def run_action(client: Client, action: str, *rows: QuarantinedMessage) -> Any:
    return client.post(
        f"{ADMIN}/intake/quarantinedmessage/",
        {"action": action, "_selected_action": [str(row.pk) for row in rows]},
    )


def test_the_quarantine_lists_status_channel_step_and_reason(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = quarantined(monkeypatch)
    listing = admin_client.get(f"{ADMIN}/intake/quarantinedmessage/").content.decode()
    assert "Failed; waiting for a retry" in listing
    assert "store" in listing and "database went away" in listing
    filtered = admin_client.get(
        f"{ADMIN}/intake/quarantinedmessage/", {"status__exact": "held"}
    ).content.decode()
    assert "database went away" not in filtered

    page = admin_client.get(f"{ADMIN}/intake/quarantinedmessage/{row.pk}/change/").content.decode()
    assert "出金が届きません" in page  # the payload, readable
    assert "&quot;sender_email&quot;: &quot;taro@example.jp&quot;" in page
    assert 'name="_save"' not in page


def test_retrying_a_quarantined_message_creates_its_ticket(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = quarantined(monkeypatch)
    assert not Ticket.objects.exists()
    response = run_action(admin_client, "retry_messages", row)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.subject == "出金が届きません"
    assert f"Message {row.pk}: ticket #{ticket.pk} was created." in notices(response)
    row.refresh_from_db()
    assert row.status == QuarantineStatus.RESOLVED and row.ticket_id == ticket.pk

    again = run_action(admin_client, "retry_messages", row)
    assert f"Message {row.pk} was already taken in." in notices(again)
    assert Ticket.objects.count() == 1


def test_a_held_reply_joins_its_ticket_only_when_released(
    admin_client: Client, make_ticket: Callable[..., Ticket]
) -> None:
    ticket, row = held_reply(make_ticket)
    retried = run_action(admin_client, "retry_messages", row)
    assert any("is held again" in text for text in notices(retried))
    assert not ticket.messages.filter(body="私のチケットです").exists()

    released = run_action(admin_client, "release_held_messages", row)
    assert f"Message {row.pk}: added to ticket #{ticket.pk}." in notices(released)
    assert ticket.messages.filter(body="私のチケットです").exists()
    row.refresh_from_db()
    assert row.status == QuarantineStatus.RESOLVED


def test_releasing_a_message_that_is_not_held_asks_for_a_retry_instead(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = quarantined(monkeypatch)
    response = run_action(admin_client, "release_held_messages", row)
    assert f"Message {row.pk} is not held; use “Retry” instead." in notices(response)
    assert not Ticket.objects.exists()


def test_quarantined_messages_cannot_be_added_edited_or_deleted(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = quarantined(monkeypatch)
    base = f"{ADMIN}/intake/quarantinedmessage"
    assert admin_client.get(f"{base}/add/").status_code == 403
    assert admin_client.post(f"{base}/{row.pk}/change/", {"reason": "x"}).status_code == 403
    assert admin_client.post(f"{base}/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert QuarantinedMessage.objects.filter(pk=row.pk, reason=row.reason).exists()
