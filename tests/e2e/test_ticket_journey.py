"""A deposit ticket from the form to the rating, in a real browser (Debian's chromium).

No supported network has a TxID with a checksum (Bitcoin's is 64 plain hex digits), so the
customer's slips are a TxID with one character mistyped as the letter O (not hexadecimal) and a
Bech32 deposit address with one wrong character, which its checksum catches.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from PIL import Image, ImageDraw

from madoguchi.accounts.services import create_user
from madoguchi.tickets.events import verify_history
from madoguchi.tickets.models import Attachment, Status, Ticket
from madoguchi.tickets.permissions import visible_tickets
from madoguchi.tickets.selectors import expected_first_response
from tests.e2e.conftest import CUSTOMER_PASSWORD, log_in, log_in_agent

# The "sent" page, with the signed receipt of the request in its address.
SENT_PAGE = re.compile(r".*/ja/support/sent/\?r=[^&]+$")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUSTOMER_EMAIL = "hanako@example.com"
AGENT_EMAIL = "sato@tsukimi.example"

TXID = "a1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d"
MISTYPED_TXID = TXID[:2] + "O" + TXID[3:]  # the zero at index 2 typed as the letter O
ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
MISTYPED_ADDRESS = ADDRESS[:-1] + "p"  # one character off: the Bech32 checksum fails
GPS_IFD = 0x8825
REPLY = "確認いたしました。ブロックチェーン上で着金を確認し、お客様の口座に反映いたしました。"


def screenshot_with_location(path: Path) -> bytes:
    """A PNG such as a phone saves: a picture of a wallet's history, with EXIF and GPS."""
    image = Image.new("RGB", (360, 220), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 350, 50), fill=(30, 90, 200))
    draw.text((20, 22), "Sent 0.015 BTC", fill="white")
    draw.text((20, 70), TXID[:32], fill="black")
    draw.text((20, 90), TXID[32:], fill="black")
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 15 Pro"
    exif[GPS_IFD] = {1: "N", 2: (35.0, 39.0, 31.0), 3: "E", 4: (139.0, 44.0, 28.0)}
    buffer = io.BytesIO()
    image.save(buffer, "PNG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    path.write_bytes(data)
    return data


def test_a_customer_files_a_deposit_ticket_fixes_two_typos_an_agent_answers_and_it_is_rated(
    live_server: Any,
    new_page: Callable[..., Any],
    make_agent: Callable[..., Any],
    tmp_path: Path,
    mailoutbox: list[Any],
) -> None:
    base = live_server.url
    create_user(email=CUSTOMER_EMAIL, password=CUSTOMER_PASSWORD)
    agent = make_agent(AGENT_EMAIL, group="payments")
    screenshot_path = tmp_path / "wallet-history.png"
    original = screenshot_with_location(screenshot_path)

    customer = new_page()
    log_in(
        customer,
        base,
        email=CUSTOMER_EMAIL,
        password=CUSTOMER_PASSWORD,
        next_path="/ja/support/new/deposit/",
    )
    customer.wait_for_url("**/ja/support/new/deposit/")

    # The whole form, with the two slips and the screenshot.
    assert customer.input_value("#id_email") == CUSTOMER_EMAIL
    assert customer.is_disabled("#id_email")
    typed = {
        "#id_user_id": "U-10442",
        "#id_subject": "BTCの入金が反映されません",
        "#id_body": "昨日の夜に送金しましたが、まだ残高に反映されていません。",
        "#id_occurred_at": "2024-05-01T21:10",
        "#id_error_message": "E1002 処理中です",
        "#id_q_coin": "BTC",
        "#id_q_amount": "0.015",
        "#id_q_sent_at": "2024-05-01T21:30",
    }
    for selector, value in typed.items():
        customer.fill(selector, value)
    customer.select_option("#id_q_network", "BTC")
    customer.fill("#id_q_txid", MISTYPED_TXID)
    customer.fill("#id_q_deposit_address", MISTYPED_ADDRESS)
    customer.press("#id_q_deposit_address", "Tab")
    # The page's script checks a pasted address at once; the server checks again on sending.
    live_check = customer.locator("#id_q_deposit_address_check.check-result--invalid")
    live_check.wait_for()
    assert "チェックサムが一致しません" in live_check.inner_text()
    customer.set_input_files("#id_attachments", str(screenshot_path))
    customer.click("#support-form button[type=submit].button--primary")
    customer.wait_for_selector("#form-errors")

    # Each error stands next to its field, in Japanese; nothing was filed.
    address_error = customer.inner_text("[data-field=q_deposit_address] .errorlist")
    assert "チェックサムが一致しません" in address_error
    txid_error = customer.inner_text("[data-field=q_txid] .errorlist")
    assert "トランザクションID" in txid_error and "16進数64桁" in txid_error
    assert "入力した内容はそのまま残っています" in customer.inner_text("#form-errors")
    assert customer.locator(".form-field--error").count() == 2
    assert not Ticket.objects.exists()

    # Everything else typed is still there, the mistakes too (to be corrected, not retyped).
    for selector, value in typed.items():
        assert customer.input_value(selector) == value, selector
    assert customer.input_value("#id_q_network") == "BTC"
    assert customer.input_value("#id_q_txid") == MISTYPED_TXID
    assert customer.input_value("#id_q_deposit_address") == MISTYPED_ADDRESS
    # A browser never refills a file input; the form says the screenshot is kept instead.
    assert customer.locator(".files-not-kept").count() == 0
    held = customer.locator(".held-files")
    assert "もう一度添付する必要はありません" in held.inner_text()
    assert customer.is_checked(".held-files input[name=keep_held]")
    assert "wallet-history.png" in held.inner_text()
    assert customer.eval_on_selector("#id_attachments", "input => input.files.length") == 0

    # Fix only the two slips and send.
    customer.fill("#id_q_txid", MISTYPED_TXID.replace("O", "0"))
    customer.fill("#id_q_deposit_address", ADDRESS)
    customer.click("#support-form button[type=submit].button--primary")
    customer.wait_for_url(SENT_PAGE)

    ticket = Ticket.objects.select_related("problem_type").get()
    with translation.override("ja"):
        expected = expected_first_response(ticket.problem_type, ticket.priority)
    assert f"お問い合わせ番号は #{ticket.pk} です" in customer.inner_text(".sent-ticket")
    assert expected in customer.inner_text(".support-sent .expected-response")
    assert ticket.details["txid"] == TXID
    assert ticket.details["deposit_address"] == ADDRESS
    assert ticket.details["coin"] == "BTC" and ticket.details["amount"] == "0.015"
    assert ticket.external_user_id == "U-10442"
    assert ticket.group is not None and ticket.group.slug == "payments"
    assert [mail.to for mail in mailoutbox] == [[CUSTOMER_EMAIL]]
    assert f"#{ticket.pk}" in mailoutbox[0].subject
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.original_sha256 == hashlib.sha256(original).hexdigest()

    # The agent logs in with the password and the current TOTP code, and finds it queued.
    agent_page = new_page()
    log_in_agent(agent_page, base, agent, "/ja/agent/tickets/")
    row = agent_page.locator(f".agent-queue__row[data-ticket='{ticket.pk}']")
    assert "BTCの入金が反映されません" in row.inner_text()
    row.locator("a").click()
    agent_page.wait_for_url(f"**/ja/agent/tickets/{ticket.pk}/")
    assert TXID in agent_page.inner_text(".agent-answers")
    assert ADDRESS in agent_page.inner_text(".agent-answers")
    listed = agent_page.inner_text(".agent-attachments")
    assert "wallet-history.png" in listed
    assert attachment.sha256 in listed
    agent_page.fill("#reply-body", REPLY)
    agent_page.select_option("#reply-status", Status.PENDING.value)
    agent_page.click("#reply button[type=submit]")
    agent_page.wait_for_selector(f"#conversation .agent-message--agent:has-text('{REPLY[:8]}')")
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.first_response_at is not None

    # The customer sees the answer, marks the problem solved and rates it.
    customer.goto(f"{base}/ja/support/tickets/{ticket.pk}/")
    assert REPLY in customer.inner_text(".ticket-message--agent .ticket-message__body")
    assert "サポート担当" in customer.inner_text(".ticket-message--agent .ticket-message__from")
    assert customer.locator(".ticket-expected").count() == 0
    customer.click(".ticket-solve button[type=submit]")
    customer.wait_for_selector("#rating form")
    customer.check("#rating input[name=rating][value='5']")
    customer.fill("#rating textarea[name=comment]", "すぐに対応していただき助かりました。")
    customer.click("#rating button[type=submit]")
    customer.wait_for_selector(".ticket-rating__given")
    assert "5 – とても満足" in customer.inner_text(".ticket-rating__given")
    customer.screenshot(path=str(tmp_path / "customer-final.png"), full_page=True)

    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert ticket.csat_rating == 5
    assert ticket.csat_comment == "すぐに対応していただき助かりました。"
    check = verify_history(ticket)
    assert check.ok, check
    assert Attachment.objects.filter(ticket=ticket).count() == 1
    with attachment.file.open("rb") as stored_file:
        stored = stored_file.read()
    assert hashlib.sha256(stored).hexdigest() == attachment.sha256
    assert b"eXIf" not in stored and b"iPhone" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert Image.open(io.BytesIO(stored)).size == (360, 220)


def test_a_visitor_confirms_the_mailed_link_and_then_the_request_reaches_the_team(
    live_server: Any,
    new_page: Callable[..., Any],
    make_agent: Callable[..., Any],
    mailoutbox: list[Any],
) -> None:
    base = live_server.url
    agent = make_agent(AGENT_EMAIL, group="payments").user
    visitor = new_page()
    visitor.goto(f"{base}/ja/support/new/deposit/")
    assert not visitor.is_disabled("#id_email")
    visitor.fill("#id_email", "taro@example.net")
    visitor.fill("#id_subject", "BTCの入金が反映されません")
    visitor.fill("#id_body", "送金から3時間たっても反映されません。")
    visitor.fill("#id_q_coin", "BTC")
    visitor.select_option("#id_q_network", "BTC")
    visitor.fill("#id_q_amount", "0.2")
    visitor.fill("#id_q_txid", TXID)
    visitor.fill("#id_q_deposit_address", ADDRESS)
    visitor.fill("#id_q_sent_at", "2024-05-01T21:30")
    visitor.click("#support-form button[type=submit].button--primary")
    visitor.wait_for_url(SENT_PAGE)

    # Not seen by the team until the address is confirmed; the page says so.
    assert "taro@example.net" in visitor.inner_text(".confirm-email")
    ticket = Ticket.objects.get()
    assert not ticket.is_confirmed
    assert not visible_tickets(agent).filter(pk=ticket.pk).exists()
    [confirmation] = mailoutbox
    assert confirmation.to == ["taro@example.net"]
    link = next(word for word in confirmation.body.split() if "/support/confirm/" in word)
    path = link[link.index("/", link.index("//") + 2) :]

    # A GET only asks (mail scanners open links too); the button confirms.
    visitor.goto(base + path)
    assert not Ticket.objects.get().is_confirmed
    visitor.click("#main form button[type=submit]")
    visitor.wait_for_url(f"**/ja/support/tickets/{ticket.pk}/")
    assert Ticket.objects.get().is_confirmed
    assert visible_tickets(agent).filter(pk=ticket.pk).exists()
    assert visitor.locator(".ticket-unconfirmed").count() == 0
    assert "送金から3時間たっても反映されません。" in visitor.inner_text(".ticket-conversation")
    with translation.override("ja"):
        expected = expected_first_response(ticket.problem_type, ticket.priority)
    assert expected in visitor.inner_text(".ticket-expected")
    assert verify_history(Ticket.objects.get()).ok
