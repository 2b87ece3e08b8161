"""The ticket API: open, list, read, reply, change, attach account context, download files.

Through HTTP with real tokens; intake, the services and the history run for real.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from madoguchi import intake
from madoguchi.accounts.services import create_user
from madoguchi.api.tokens import IssuedToken, revoke_api_token
from madoguchi.intake.inbound import InboundMessage
from madoguchi.intake.models import QuarantinedMessage
from madoguchi.tickets import services
from madoguchi.tickets.events import verify_history
from madoguchi.tickets.models import (
    EventKind,
    ProblemType,
    SlaPolicy,
    Status,
    SupportGroup,
    Ticket,
    TicketEvent,
)
from madoguchi.tickets.permissions import visible_tickets
from tests.api.conftest import Issue, bearer

pytestmark = pytest.mark.django_db

ALL_SCOPES = ("tickets:read", "tickets:write", "messages:write", "account-context:write")
SEED = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)
# BIP-173's valid mainnet P2WPKH address, and a well-formed Bitcoin TxID.
BTC_ADDRESS = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
BTC_TXID = "a1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d"
# EIP-55's example, in lower case: stored with its checksum.
ETH_ADDRESS = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"


@pytest.fixture
def token(issue: Issue) -> IssuedToken:
    return issue(*ALL_SCOPES, name="Tsukimi back office")


def call(
    client: Client,
    method: str,
    path: str,
    token: IssuedToken | None,
    body: Any = None,
    language: str = "en",
    raw: str | None = None,
) -> Any:
    headers = {"HTTP_ACCEPT_LANGUAGE": language, **(bearer(token) if token else {})}
    handler = getattr(client, method.lower())
    if method in ("GET",):
        return handler(path, body or {}, **headers)
    data = raw if raw is not None else json.dumps(body if body is not None else {})
    return handler(path, data, content_type="application/json", **headers)


def deposit(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "requester_email": "Hanako@Example.JP",
        "requester_name": "山田 花子",
        "external_user_id": "U-102938",
        "problem_type": "deposit",
        "subject": "BTCの入金が反映されません",
        "body": "昨日BTCを送金しましたが、まだ口座に反映されていません。",
        "fields": {
            "coin": "btc",
            "network": "btc",
            "amount": "0.05",
            "txid": BTC_TXID.upper(),
            "deposit_address": BTC_ADDRESS,
            "sent_at": "2025-01-31T09:30:00+09:00",
        },
        "language": "ja",
    }
    body.update(changes)
    return body


def login_problem(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "requester_email": "taro@example.jp",
        "problem_type": "login",
        "subject": "Cannot log in",
        "body": "My password is not accepted since this morning.",
        "fields": {"what_fails": "password"},
        "language": "en",
    }
    body.update(changes)
    return body


def open_ticket(client: Client, token: IssuedToken, body: dict[str, Any]) -> dict[str, Any]:
    response = call(client, "POST", "/api/v1/tickets", token, body)
    assert response.status_code == 201, response.content
    result: dict[str, Any] = response.json()
    return result


def png(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), color).save(buffer, "PNG")
    return buffer.getvalue()


def attachment(name: str, data: bytes, content_type: str = "image/png") -> dict[str, str]:
    return {"name": name, "content_type": content_type, "content": base64.b64encode(data).decode()}


def agent_in(group: str, email: str = "agent@tsukimi.example") -> Any:
    agent = create_user(email=email, password="a-long-agent-password", role="agent")
    SupportGroup.objects.get(slug=group).members.add(agent)
    return agent


# --- POST /tickets -------------------------------------------------------------------------


def test_a_deposit_ticket_is_opened_confirmed_and_routed_to_payments(
    client: Client, token: IssuedToken
) -> None:
    ticket = open_ticket(client, token, deposit())

    assert ticket["status"] == "new"
    assert ticket["channel"] == "api"
    assert ticket["group"] == "payments"
    assert ticket["problem_type"] == "deposit"
    assert ticket["requester_email"] == "hanako@example.jp"
    assert ticket["external_user_id"] == "U-102938"
    assert ticket["duplicate"] is False
    assert ticket["notices"] == []
    assert ticket["fields"] == {
        "coin": "BTC",
        "network": "BTC",
        "amount": "0.05",
        "txid": BTC_TXID,
        "deposit_address": BTC_ADDRESS,
        "sent_at": "2025-01-31T09:30+09:00",
    }
    (message,) = ticket["messages"]
    assert message["author_kind"] == "integration"
    assert message["body"] == "昨日BTCを送金しましたが、まだ口座に反映されていません。"
    stored = Ticket.objects.get(pk=ticket["id"])
    assert stored.is_confirmed
    assert visible_tickets(agent_in("payments")).filter(pk=stored.pk).exists()
    assert verify_history(stored).ok


def test_an_evm_address_is_kept_with_its_checksum(client: Client, token: IssuedToken) -> None:
    fields = {
        "coin": "USDT",
        "network": "eth",
        "amount": "1,000",
        "destination_address": ETH_ADDRESS,
        "requested_at": "2025/01/31 10:00",
    }
    ticket = open_ticket(client, token, deposit(problem_type="withdrawal", fields=fields))
    assert ticket["fields"]["destination_address"] == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert ticket["fields"]["network"] == "ETH"
    assert ticket["fields"]["amount"] == "1000"


def test_crypto_answers_that_fail_are_a_422_per_field_in_the_callers_language(
    client: Client, token: IssuedToken
) -> None:
    fields = {
        **deposit()["fields"],
        "coin": "XRP",
        "deposit_address": BTC_ADDRESS[:-1] + "5",
        "txid": "0x" + "ab" * 32,
    }
    en = call(client, "POST", "/api/v1/tickets", token, deposit(fields=fields), "en")
    ja = call(client, "POST", "/api/v1/tickets", token, deposit(fields=fields), "ja")

    assert en.status_code == ja.status_code == 422
    assert en.json()["code"] == "invalid"
    codes = {item["field"]: item["code"] for item in en.json()["errors"]}
    assert codes == {
        "fields.coin": "coin_not_on_network",
        "fields.deposit_address": "bad_checksum",
        "fields.txid": "txid_wrong_network",
    }
    english = {item["field"]: item["message"] for item in en.json()["errors"]}
    japanese = {item["field"]: item["message"] for item in ja.json()["errors"]}
    assert "checksum" in english["fields.deposit_address"]
    assert "チェックサム" in japanese["fields.deposit_address"]
    assert Ticket.objects.count() == 0


def test_a_missing_memo_is_flagged_where_the_network_needs_one(
    client: Client, token: IssuedToken
) -> None:
    fields = {
        "coin": "XRP",
        "network": "XRP",
        "amount": "20",
        "txid": "C" * 64,
        "deposit_address": "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh",
        "sent_at": "2025-01-31T09:30:00+09:00",
    }
    response = call(client, "POST", "/api/v1/tickets", token, deposit(fields=fields))
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("fields.memo", "memo_required")
    ]
    fields["memo"] = "１２３４５"
    ticket = open_ticket(client, token, deposit(fields=fields))
    assert ticket["fields"]["memo"] == "12345"


def test_an_unknown_network_is_named_with_the_networks_there_are(
    client: Client, token: IssuedToken
) -> None:
    fields = {**deposit()["fields"], "network": "<b>BTC</b>"}
    response = call(client, "POST", "/api/v1/tickets", token, deposit(fields=fields))
    assert response.status_code == 422
    (fault,) = response.json()["errors"]
    assert (fault["field"], fault["code"]) == ("fields.network", "unknown_network")
    assert fault["message"].startswith("Choose one of: BTC, ")
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"requester_email": "not-an-email"}, [("requester_email", "bad_email")]),
        ({"requester_email": " "}, [("requester_email", "required")]),
        ({"subject": " \u200b\t"}, [("subject", "blank")]),
        ({"subject": "件" * 201}, [("subject", "too_long")]),
        ({"body": "\x00\x01 \u3000"}, [("body", "blank")]),
        ({"language": "fr"}, [("language", "bad_language")]),
        ({"external_user_id": "x" * 65}, [("external_user_id", "too_long")]),
        ({"problem_type": "nope"}, [("problem_type", "unknown_problem_type")]),
        ({"problem_type": "\x00"}, [("problem_type", "unknown_problem_type")]),
        (
            {"fields": {"what_fails": "password", "colour": "red"}},
            [("fields.colour", "unknown_field")],
        ),
        ({"fields": {}}, [("fields.what_fails", "required")]),
        ({"fields": {"what_fails": "everything"}}, [("fields.what_fails", "bad_choice")]),
        (
            {"fields": {"what_fails": "password", "last_login": "yesterday"}},
            [("fields.last_login", "bad_datetime")],
        ),
        (
            {"fields": {"what_fails": "password", "last_login": "2999-01-01T00:00:00Z"}},
            [("fields.last_login", "in_the_future")],
        ),
    ],
)
def test_each_value_at_fault_is_named_and_nothing_is_opened(
    client: Client, token: IssuedToken, changes: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    response = call(client, "POST", "/api/v1/tickets", token, login_problem(**changes))
    assert response.status_code == 422, response.content
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == expected
    assert all(e["message"] for e in response.json()["errors"])
    assert Ticket.objects.count() == 0


def test_a_misspelt_key_is_refused_rather_than_ignored(client: Client, token: IssuedToken) -> None:
    misspelt = login_problem(acount_context={})
    en = call(client, "POST", "/api/v1/tickets", token, misspelt, "en")
    ja = call(client, "POST", "/api/v1/tickets", token, misspelt, "ja")
    assert en.status_code == ja.status_code == 422
    assert en.json()["code"] == ja.json()["code"] == "invalid_request"
    assert "“detail” names each" in en.json()["message"]
    assert en.json()["message"] != ja.json()["message"]
    (fault,) = en.json()["detail"]
    assert (fault["loc"][-1], fault["type"]) == ("acount_context", "extra_forbidden")
    assert Ticket.objects.count() == 0


def test_a_body_of_the_wrong_shape_is_a_translated_422_on_every_endpoint_that_takes_one(
    client: Client, token: IssuedToken
) -> None:
    ticket_id = open_ticket(client, token, login_problem())["id"]
    for method, path, body in [
        ("POST", "/api/v1/tickets", {"subject": ["a list"]}),
        ("POST", f"/api/v1/tickets/{ticket_id}/messages", {"body": 12}),
        ("PATCH", f"/api/v1/tickets/{ticket_id}", {"status": {"to": "solved"}}),
        ("POST", f"/api/v1/tickets/{ticket_id}/account-context", ["not", "an", "object"]),
    ]:
        response = call(client, method, path, token, body, "ja")
        assert response.status_code == 422, path
        assert response.json()["code"] == "invalid_request", path
        assert response.json()["detail"], path
        assert not response.json()["message"].isascii(), path


def test_a_secret_in_the_body_is_removed_and_the_customer_told(
    client: Client, token: IssuedToken
) -> None:
    body = f"ウォレットが開けません。シードフレーズは {SEED} です。"
    ticket = open_ticket(client, token, login_problem(body=body, language="ja"))

    assert "abandon about" not in json.dumps(ticket, ensure_ascii=False)
    assert ticket["notices"]
    assert "シードフレーズ" in ticket["notices"][0] or "秘密" in ticket["notices"][0]
    first, *system = ticket["messages"]
    assert "seed_phrase" in first["redacted_kinds"]
    assert [message["body"] for message in system] == ticket["notices"]
    assert ticket["group"] == "security"
    assert ticket["priority"] == "urgent"
    read = call(client, "GET", f"/api/v1/tickets/{ticket['id']}", token).json()
    assert "abandon about" not in json.dumps(read, ensure_ascii=False)


def test_japanese_text_comes_back_exactly_as_sent(client: Client, token: IssuedToken) -> None:
    body = (
        "出金申請後、３時間経っても届きません。\n取引ID：ＷＤ－００１２３\n宜しくお願い致します🙇"
    )
    sent = deposit(
        problem_type="trading",
        subject="注文が約定しない（指値・ＢＴＣ／ＪＰＹ）",
        body=body,
        requester_name="髙橋 𠮷子",
        fields={"pair": "ＢＴＣ／ＪＰＹ", "order_type": "limit", "order_id": "注文番号：１２３"},
    )
    created = open_ticket(client, token, sent)
    read = call(client, "GET", f"/api/v1/tickets/{created['id']}", token).json()

    assert read["subject"] == sent["subject"]
    assert read["requester_name"] == "髙橋 𠮷子"
    assert read["messages"][0]["body"] == body
    assert read["fields"] == sent["fields"]
    assert read["language"] == "ja"


def test_sending_the_same_ticket_twice_opens_one_and_says_duplicate(
    client: Client, token: IssuedToken
) -> None:
    first = open_ticket(client, token, login_problem())
    again = call(client, "POST", "/api/v1/tickets", token, login_problem())

    assert again.status_code == 200
    assert again.json() == {"id": first["id"], "duplicate": True, "notices": []}
    assert Ticket.objects.count() == 1


def test_a_screenshot_is_kept_with_its_sha256_and_can_be_downloaded(
    client: Client, token: IssuedToken
) -> None:
    files = [
        attachment("入金画面.png", png()),
        attachment("notes.png", b"\x00\x01\x02 not an image \xff\xfe"),
    ]
    ticket = open_ticket(client, token, login_problem(attachments=files))

    (kept,) = ticket["messages"][0]["attachments"]
    assert kept["content_type"] == "image/png"
    assert kept["name"].endswith(".png")
    (rejected,) = ticket["rejected_attachments"]
    assert rejected["name"] == "notes.png"
    assert rejected["message"]
    download = client.get(kept["url"], **bearer(token))
    assert download.status_code == 200
    data = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(data).hexdigest() == kept["sha256"]
    assert len(data) == kept["size"]
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("files", "field", "code"),
    [
        ([{"name": "a.png", "content": "not base64!"}], "attachments.0.content", "bad_base64"),
        ([{"name": "a.png", "content": ""}], "attachments.0.content", "empty"),
        ([{"name": " ", "content": "aGVsbG8="}], "attachments.0.name", "required"),
        ([{"name": "a.png", "content": "5pel5pys"}] * 11, "attachments", "too_many"),
    ],
)
def test_attachments_that_cannot_be_read_are_a_422(
    client: Client, token: IssuedToken, files: list[dict[str, str]], field: str, code: str
) -> None:
    response = call(client, "POST", "/api/v1/tickets", token, login_problem(attachments=files))
    assert response.status_code == 422
    assert (field, code) in [(e["field"], e["code"]) for e in response.json()["errors"]]


@override_settings(MADOGUCHI_ATTACHMENT_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_a_422(client: Client, token: IssuedToken) -> None:
    files = [attachment("big.png", b"x" * 1001)]
    response = call(client, "POST", "/api/v1/tickets", token, login_problem(attachments=files))
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "too_large"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/tickets"),
        ("POST", "/api/v1/tickets/{id}/messages"),
        ("POST", "/api/v1/tickets/{id}/account-context"),
        ("PATCH", "/api/v1/tickets/{id}"),
    ],
)
def test_a_body_over_the_upload_limit_is_a_translated_413(
    client: Client, token: IssuedToken, method: str, path: str
) -> None:
    ticket_id = open_ticket(client, token, login_problem())["id"]
    url = path.format(id=ticket_id)
    big = login_problem(attachments=[attachment("big.png", png() * 40)])
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2000):
        en = call(client, method, url, token, big, "en")
        ja = call(client, method, url, token, big, "ja")
    assert en.status_code == ja.status_code == 413
    assert en.json()["code"] == "body_too_large"
    assert "KB" in en.json()["message"]
    assert en.json()["message"] != ja.json()["message"]
    assert Ticket.objects.count() == 1


def csv_history(size: int) -> bytes:
    """A transaction history of exactly `size` bytes."""
    header, row = b"date,coin,kind,amount,note\n", b"2025-01-31,BTC,deposit,0.05,ok\n"
    rows = (size - len(header)) // len(row) - 1
    last = b"2025-01-31,BTC,deposit,0.05,"
    padding = size - len(header) - rows * len(row) - len(last) - 1
    return header + row * rows + last + b"x" * padding + b"\n"


def test_the_largest_attachment_fits_in_a_request_and_a_larger_body_is_a_translated_413(
    client: Client, token: IssuedToken, settings: Any
) -> None:
    limit = settings.MADOGUCHI_ATTACHMENT_MAX_BYTES
    history = csv_history(limit)
    assert len(history) == limit
    fits = login_problem(attachments=[attachment("history.csv", history, "text/csv")])
    ticket = open_ticket(client, token, fits)
    (kept,) = ticket["messages"][0]["attachments"]
    assert kept["size"] == limit
    assert kept["sha256"] == hashlib.sha256(history).hexdigest()

    # The same request with a body grown to one byte over the limit on bodies.
    sent = json.dumps(fits)
    over = {
        **fits,
        "body": fits["body"] + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - len(sent) + 1),
    }
    en = call(client, "POST", "/api/v1/tickets", token, over, "en")
    ja = call(client, "POST", "/api/v1/tickets", token, over, "ja")
    assert len(json.dumps(over)) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    assert en.status_code == ja.status_code == 413
    assert en.json()["code"] == ja.json()["code"] == "body_too_large"
    size = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)  # 14.3 MB by default
    assert en.json()["message"].startswith(f"The request is larger than {size}.")
    assert en.json()["message"] != ja.json()["message"]
    assert Ticket.objects.count() == 1


def test_a_message_intake_cannot_finish_is_kept_in_the_quarantine_and_answered_202(
    client: Client, token: IssuedToken
) -> None:
    # An administrator's typo in the expected response times stops intake's routing step
    # (they set the first response when no SLA policy matches).
    ProblemType.objects.filter(slug="login").update(response_hours={"normal": "one day"})
    SlaPolicy.objects.all().delete()

    response = call(client, "POST", "/api/v1/tickets", token, login_problem())

    assert response.status_code == 202
    answer = response.json()
    assert answer["outcome"] == "quarantined"
    kept = QuarantinedMessage.objects.get(pk=answer["quarantine_id"])
    assert kept.step == "route"
    assert kept.payload["body"] == login_problem()["body"]


def test_account_context_can_come_with_the_new_ticket(client: Client, token: IssuedToken) -> None:
    context = {"kyc_level": 2, "vip": False, "recent": [{"coin": "BTC", "amount": "0.05"}]}
    ticket = open_ticket(client, token, login_problem(account_context=context))
    assert ticket["account_context"] == context
    event = TicketEvent.objects.get(ticket_id=ticket["id"], kind=EventKind.ACCOUNT_CONTEXT)
    assert event.actor_label == f"Tsukimi back office ({token.token.public_id})"


def test_a_token_limited_to_payments_opens_only_payments_tickets(
    client: Client, issue: Issue
) -> None:
    payments = issue("tickets:write", "tickets:read", groups="payments")
    assert open_ticket(client, payments, deposit())["group"] == "payments"
    refused = call(client, "POST", "/api/v1/tickets", payments, login_problem(), "ja")
    assert refused.status_code == 403
    assert refused.json()["code"] == "group_not_allowed"
    assert "general" in refused.json()["message"]


# --- GET /tickets --------------------------------------------------------------------------


def visitor_ticket() -> int:
    outcome = intake.receive(
        InboundMessage(
            channel="web", subject="unconfirmed", body="from a visitor", sender_email="v@example.jp"
        )
    )
    assert outcome.ticket_id is not None
    return outcome.ticket_id


def test_the_list_filters_and_pages_in_the_order_tickets_changed(
    client: Client, token: IssuedToken
) -> None:
    ids = [
        open_ticket(
            client,
            token,
            login_problem(requester_email=f"user{n}@example.jp", external_user_id=f"U{n}"),
        )["id"]
        for n in range(5)
    ]
    deposit_id = open_ticket(client, token, deposit())["id"]
    hidden = visitor_ticket()
    services.change_status(ticket=Ticket.objects.get(pk=ids[0]), status=Status.PENDING, by=None)

    def listed(**query: str) -> list[int]:
        response = call(client, "GET", "/api/v1/tickets", token, query)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert listed() == [*ids[1:], deposit_id, ids[0]]
    assert hidden not in listed()
    assert listed(status="pending") == [ids[0]]
    assert listed(status="new,pending", problem_type="login") == [*ids[1:], ids[0]]
    assert listed(problem_type="deposit") == [deposit_id]
    assert listed(external_user_id="U3") == [ids[3]]
    assert listed(requester_email="USER2@example.jp") == [ids[2]]
    later = Ticket.objects.get(pk=ids[0]).updated_at
    assert listed(updated_since=later.isoformat()) == [ids[0]]
    assert listed(updated_since=(later + timedelta(seconds=1)).isoformat()) == []

    seen: list[int] = []
    cursor = ""
    while True:
        page = call(
            client, "GET", "/api/v1/tickets", token, {"limit": "2", "cursor": cursor}
        ).json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert seen == listed()


def test_an_offset_in_the_url_with_an_unencoded_plus_still_reads_as_an_offset(
    client: Client, token: IssuedToken
) -> None:
    ticket = open_ticket(client, token, login_problem())
    since = timezone.localtime(
        Ticket.objects.get(pk=ticket["id"]).updated_at - timedelta(minutes=1)
    )
    stamp = (
        since.strftime("%Y-%m-%dT%H:%M:%S")
        + " "
        + since.strftime("%z")[1:3]
        + ":"
        + since.strftime("%z")[3:]
    )
    if since.strftime("%z").startswith("-"):
        pytest.skip("the site's time zone is west of UTC")
    response = client.get(f"/api/v1/tickets?updated_since={stamp}", **bearer(token))
    assert [item["id"] for item in response.json()["items"]] == [ticket["id"]]


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"status": "lost"}, "status", "bad_status"),
        ({"limit": "101"}, "limit", "bad_limit"),
        ({"limit": "0"}, "limit", "bad_limit"),
        ({"limit": "ten"}, "limit", "bad_limit"),
        ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor", "bad_cursor"),
        ({"cursor": "%%%"}, "cursor", "bad_cursor"),
        ({"updated_since": "last week"}, "updated_since", "bad_datetime"),
        ({"external_user_id": "a\x00b"}, "external_user_id", "bad_filter"),
        ({"requester_email": "x" * 300}, "requester_email", "bad_filter"),
    ],
)
def test_a_bad_list_parameter_is_a_translated_422(
    client: Client, token: IssuedToken, query: dict[str, str], field: str, code: str
) -> None:
    en = call(client, "GET", "/api/v1/tickets", token, query, "en")
    ja = call(client, "GET", "/api/v1/tickets", token, query, "ja")
    assert en.status_code == ja.status_code == 422
    assert [(e["field"], e["code"]) for e in en.json()["errors"]] == [(field, code)]
    assert en.json()["errors"][0]["message"] != ja.json()["errors"][0]["message"]


def test_a_page_costs_the_same_queries_however_many_tickets_it_holds(
    client: Client, token: IssuedToken
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert call(client, "GET", "/api/v1/tickets", token).status_code == 200
        return len(captured.captured_queries)

    for n in range(2):
        open_ticket(client, token, login_problem(requester_email=f"a{n}@example.jp"))
    few = queries()
    for n in range(12):
        open_ticket(client, token, login_problem(requester_email=f"b{n}@example.jp"))
    assert queries() == few <= 6


# --- GET /tickets/{id} ---------------------------------------------------------------------


def test_a_ticket_shows_public_messages_but_never_internal_notes(
    client: Client, token: IssuedToken
) -> None:
    ticket = Ticket.objects.get(pk=open_ticket(client, token, login_problem())["id"])
    agent = agent_in("general")
    services.add_internal_note(ticket=ticket, body="社内メモ: 本人確認が必要", by=agent)
    services.add_agent_reply(ticket=ticket, body="パスワードを再設定してください。", by=agent)

    read = call(client, "GET", f"/api/v1/tickets/{ticket.pk}", token).json()

    bodies = [message["body"] for message in read["messages"]]
    assert bodies == [login_problem()["body"], "パスワードを再設定してください。"]
    assert [message["author_kind"] for message in read["messages"]] == ["integration", "agent"]
    assert read["status"] == "pending"
    assert "社内メモ" not in json.dumps(read, ensure_ascii=False)


# --- PATCH /tickets/{id} -------------------------------------------------------------------


def test_a_status_change_is_recorded_with_the_integration_as_actor(
    client: Client, token: IssuedToken
) -> None:
    ticket_id = open_ticket(client, token, login_problem())["id"]
    response = call(
        client,
        "PATCH",
        f"/api/v1/tickets/{ticket_id}",
        token,
        {"status": "solved", "priority": "high"},
    )

    assert response.status_code == 200
    assert response.json()["status"] == "solved"
    assert response.json()["priority"] == "high"
    events = TicketEvent.objects.filter(
        ticket_id=ticket_id, kind__in=[EventKind.STATUS_CHANGED, EventKind.PRIORITY_CHANGED]
    )
    labels = {event.actor_label for event in events}
    assert labels == {f"Tsukimi back office ({token.token.public_id})"}
    assert all(token.plaintext.split("_")[-1] not in label for label in labels)
    assert Ticket.objects.get(pk=ticket_id).solved_at is not None
    assert verify_history(Ticket.objects.get(pk=ticket_id)).ok


def test_a_closed_ticket_cannot_be_opened_again_and_nothing_changes(
    client: Client, token: IssuedToken
) -> None:
    ticket_id = open_ticket(client, token, login_problem())["id"]
    call(client, "PATCH", f"/api/v1/tickets/{ticket_id}", token, {"status": "closed"})
    ja = call(
        client,
        "PATCH",
        f"/api/v1/tickets/{ticket_id}",
        token,
        {"status": "open", "priority": "low"},
        "ja",
    )

    assert ja.status_code == 409
    assert ja.json()["code"] == "closed"
    assert "クローズ" in ja.json()["message"]
    ticket = Ticket.objects.get(pk=ticket_id)
    assert (ticket.status, ticket.priority) == ("closed", "normal")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, [("status", "nothing_to_change")]),
        ({"status": "done"}, [("status", "bad_status")]),
        ({"priority": "asap", "status": "open"}, [("priority", "bad_priority")]),
    ],
)
def test_an_unknown_status_or_priority_is_a_422(
    client: Client, token: IssuedToken, body: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    ticket_id = open_ticket(client, token, login_problem())["id"]
    response = call(client, "PATCH", f"/api/v1/tickets/{ticket_id}", token, body)
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == expected
    assert Ticket.objects.get(pk=ticket_id).status == "new"


# --- POST /tickets/{id}/messages -----------------------------------------------------------


def test_a_customer_reply_reopens_a_waiting_ticket(client: Client, token: IssuedToken) -> None:
    ticket = Ticket.objects.get(pk=open_ticket(client, token, login_problem())["id"])
    services.add_agent_reply(
        ticket=ticket, body="Which browser do you use?", by=agent_in("general")
    )
    reply = {
        "body": "Firefox 128 on Windows.",
        "attachments": [attachment("error.png", png("blue"))],
    }

    response = call(client, "POST", f"/api/v1/tickets/{ticket.pk}/messages", token, reply)

    assert response.status_code == 201
    answer = response.json()
    assert answer["ticket_id"] == ticket.pk
    assert answer["follow_up_of"] is None
    assert answer["message"]["body"] == "Firefox 128 on Windows."
    assert answer["message"]["author_kind"] == "integration"
    assert len(answer["message"]["attachments"]) == 1
    read = call(client, "GET", f"/api/v1/tickets/{ticket.pk}", token).json()
    assert read["status"] == "open"
    assert read["messages"][-1]["id"] == answer["message"]["id"]
    again = call(client, "POST", f"/api/v1/tickets/{ticket.pk}/messages", token, reply)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(client: Client, token: IssuedToken) -> None:
    ticket_id = open_ticket(client, token, login_problem())["id"]
    call(client, "PATCH", f"/api/v1/tickets/{ticket_id}", token, {"status": "closed"})

    response = call(
        client, "POST", f"/api/v1/tickets/{ticket_id}/messages", token, {"body": "Still broken."}
    )

    assert response.status_code == 201
    answer = response.json()
    assert answer["follow_up_of"] == ticket_id
    assert answer["ticket_id"] != ticket_id
    follow_up = call(client, "GET", f"/api/v1/tickets/{answer['ticket_id']}", token).json()
    assert follow_up["fields"]["follow_up_of"] == f"#{ticket_id}"
    assert follow_up["requester_email"] == "taro@example.jp"
    assert Ticket.objects.get(pk=ticket_id).status == "closed"


def test_a_reply_with_a_secret_is_redacted_and_the_notice_returned(
    client: Client, token: IssuedToken
) -> None:
    ticket_id = open_ticket(client, token, login_problem())["id"]
    response = call(
        client, "POST", f"/api/v1/tickets/{ticket_id}/messages", token, {"body": f"my seed: {SEED}"}
    )
    assert response.status_code == 201
    assert response.json()["notices"]
    assert "abandon about" not in response.json()["message"]["body"]


def test_a_blank_reply_is_a_422(client: Client, token: IssuedToken) -> None:
    ticket_id = open_ticket(client, token, login_problem())["id"]
    response = call(
        client, "POST", f"/api/v1/tickets/{ticket_id}/messages", token, {"body": "\n\u200b "}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"


# --- POST /tickets/{id}/account-context ----------------------------------------------------


def test_account_context_is_merged_and_recorded(client: Client, token: IssuedToken) -> None:
    ticket_id = open_ticket(client, token, login_problem())["id"]
    path = f"/api/v1/tickets/{ticket_id}/account-context"
    first = call(client, "POST", path, token, {"kyc_level": 1, "country": "JP"})
    second = call(client, "POST", path, token, {"kyc_level": 2, "deposits": [{"coin": "ETH"}]})

    assert first.status_code == second.status_code == 200
    expected = {"kyc_level": 2, "country": "JP", "deposits": [{"coin": "ETH"}]}
    assert second.json() == {"id": ticket_id, "account_context": expected}
    assert (
        call(client, "GET", f"/api/v1/tickets/{ticket_id}", token).json()["account_context"]
        == expected
    )
    keys = [
        event.data["keys"]
        for event in TicketEvent.objects.filter(ticket_id=ticket_id, kind=EventKind.ACCOUNT_CONTEXT)
    ]
    assert keys == [["country", "kyc_level"], ["deposits", "kyc_level"]]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (json.dumps({"a": {"b": {"c": {"d": {"e": 1}}}}}), "context_too_deep"),
        (json.dumps({"note": "x" * 17_000}), "context_too_large"),
        (json.dumps({"note": "a\u0000b"}), "context_bad_value"),
        (json.dumps({"": 1}), "context_bad_key"),
        (json.dumps({"k" * 101: 1}), "context_bad_key"),
        ('{"balance": NaN}', "context_bad_value"),
        ('{"balance": Infinity}', "context_bad_value"),
        (json.dumps({"big": 2**64}), "context_bad_value"),
        (json.dumps({"lone": "\ud800"}), "context_bad_value"),
    ],
)
def test_account_context_that_no_database_could_keep_is_a_422(
    client: Client, token: IssuedToken, raw: str, code: str
) -> None:
    ticket_id = open_ticket(client, token, login_problem())["id"]
    response = call(client, "POST", f"/api/v1/tickets/{ticket_id}/account-context", token, raw=raw)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == code
    assert Ticket.objects.get(pk=ticket_id).account_context == {}


def test_account_context_must_be_an_object(client: Client, token: IssuedToken) -> None:
    ticket_id = open_ticket(client, token, login_problem())["id"]
    for raw in ('["a"]', '"text"', "12", "{"):
        response = call(
            client, "POST", f"/api/v1/tickets/{ticket_id}/account-context", token, raw=raw
        )
        assert response.status_code in (400, 422), raw


def test_context_that_would_grow_past_the_limit_is_refused(
    client: Client, token: IssuedToken
) -> None:
    ticket_id = open_ticket(client, token, login_problem())["id"]
    path = f"/api/v1/tickets/{ticket_id}/account-context"
    assert call(client, "POST", path, token, {"a": "x" * 10_000}).status_code == 200
    response = call(client, "POST", path, token, {"b": "x" * 10_000})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "context_too_large"


# --- tokens, scopes, groups, rates ---------------------------------------------------------

ENDPOINTS = [
    ("POST", "/api/v1/tickets", "tickets:write"),
    ("GET", "/api/v1/tickets", "tickets:read"),
    ("GET", "/api/v1/tickets/{id}", "tickets:read"),
    ("PATCH", "/api/v1/tickets/{id}", "tickets:write"),
    ("POST", "/api/v1/tickets/{id}/messages", "messages:write"),
    ("POST", "/api/v1/tickets/{id}/account-context", "account-context:write"),
    ("GET", "/api/v1/tickets/{id}/attachments/{attachment}", "tickets:read"),
]
BODIES = {
    "/api/v1/tickets": login_problem(),
    "/api/v1/tickets/{id}": {"status": "open"},
    "/api/v1/tickets/{id}/messages": {"body": "hello"},
    "/api/v1/tickets/{id}/account-context": {"kyc_level": 3},
}


def with_file(client: Client, token: IssuedToken) -> tuple[int, int]:
    ticket = open_ticket(client, token, login_problem(attachments=[attachment("s.png", png())]))
    return ticket["id"], ticket["messages"][0]["attachments"][0]["id"]


def request_for(
    client: Client, method: str, path: str, token: IssuedToken | None, ticket: int, file: int
) -> Any:
    url = path.format(id=ticket, attachment=file)
    body = BODIES.get(path) if method != "GET" else None
    return call(client, method, url, token, body)


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
def test_every_endpoint_needs_a_valid_token_with_its_scope(
    client: Client, issue: Issue, token: IssuedToken, method: str, path: str, scope: str
) -> None:
    ticket, file = with_file(client, token)
    others = issue(*[s for s in ALL_SCOPES if s != scope], name="other scopes")
    revoked = issue(*ALL_SCOPES, name="revoked")
    revoke_api_token(token=revoked.token)

    missing = request_for(client, method, path, None, ticket, file)
    wrong_scope = request_for(client, method, path, others, ticket, file)
    gone = request_for(client, method, path, revoked, ticket, file)
    headers = {"HTTP_AUTHORIZATION": "Bearer mdg_abcdefgh_" + "a" * 40}
    bad = getattr(client, method.lower())(path.format(id=ticket, attachment=file), **headers)

    assert (missing.status_code, missing.json()["code"]) == (401, "token_missing")
    assert (bad.status_code, bad.json()["code"]) == (401, "token_invalid")
    assert (gone.status_code, gone.json()["code"]) == (401, "token_revoked")
    assert (wrong_scope.status_code, wrong_scope.json()["code"]) == (403, "scope_missing")
    assert scope in wrong_scope.json()["message"]
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().status == "new"


@pytest.mark.parametrize(("method", "path", "scope"), [e for e in ENDPOINTS if "{id}" in e[1]])
def test_a_token_limited_to_other_groups_gets_the_same_404_as_for_a_guessed_id(
    client: Client, issue: Issue, token: IssuedToken, method: str, path: str, scope: str
) -> None:
    ticket, file = with_file(client, token)  # a login ticket: the general group
    payments = issue(*ALL_SCOPES, name="payments desk", groups="payments")
    visitor = visitor_ticket()

    attempts = [
        (payments, ticket, file),
        (payments, ticket + 1000, file),
        (token, visitor, file),
        (token, 2**63 - 1, file),
        (token, 2**70, file),
    ]
    if "attachments" in path:
        attempts.append((token, ticket, file + 1000))
    answers = [request_for(client, method, path, *attempt) for attempt in attempts]
    assert {(answer.status_code, answer.content) for answer in answers} == {
        (404, answers[0].content)
    }
    assert answers[0].json()["code"] == "not_found"
    stored = Ticket.objects.get(pk=ticket)
    assert (stored.status, stored.account_context, stored.messages.count()) == ("new", {}, 1)
    assert request_for(client, method, path, token, ticket, file).status_code in (200, 201)


def test_a_token_limited_to_a_group_lists_only_that_groups_tickets(
    client: Client, issue: Issue, token: IssuedToken
) -> None:
    mine = open_ticket(client, token, deposit())["id"]
    open_ticket(client, token, login_problem())
    payments = issue("tickets:read", groups="payments")
    items = call(client, "GET", "/api/v1/tickets", payments).json()["items"]
    assert [item["id"] for item in items] == [mine]


@override_settings(MADOGUCHI_API_RATE="3/m")
def test_too_many_requests_are_a_429_with_retry_after(client: Client, token: IssuedToken) -> None:
    statuses = [call(client, "GET", "/api/v1/tickets", token).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = call(client, "GET", "/api/v1/tickets", token, language="ja")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) >= 1
    refused = call(client, "POST", "/api/v1/tickets", token, login_problem())
    assert refused.status_code == 429
    assert Ticket.objects.count() == 0


def test_the_openapi_schema_lists_every_endpoint_with_bearer_security(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    expected = {
        ("post", "/api/v1/tickets"): {"201", "200", "202", "401", "403", "413", "422", "429"},
        ("get", "/api/v1/tickets"): {"200", "401", "403", "422", "429"},
        ("get", "/api/v1/tickets/{ticket_id}"): {"200", "401", "403", "404", "429"},
        ("patch", "/api/v1/tickets/{ticket_id}"): {
            "200",
            "401",
            "403",
            "404",
            "409",
            "413",
            "422",
            "429",
        },
        ("post", "/api/v1/tickets/{ticket_id}/messages"): {
            "201",
            "200",
            "202",
            "401",
            "403",
            "404",
            "413",
            "422",
            "429",
        },
        ("post", "/api/v1/tickets/{ticket_id}/account-context"): {
            "200",
            "413",
            "401",
            "403",
            "404",
            "422",
            "429",
        },
        ("get", "/api/v1/tickets/{ticket_id}/attachments/{attachment_id}"): {
            "200",
            "401",
            "403",
            "404",
            "429",
        },
    }
    for (method, path), codes in expected.items():
        operation = paths[path][method]
        assert set(operation["responses"]) == codes, (method, path)
        assert operation["security"] == [{"ApiTokenAuth": []}]
        assert operation["summary"]
        assert len(operation["description"]) > 80
    scheme = schema["components"]["securitySchemes"]["ApiTokenAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    create = paths["/api/v1/tickets"]["post"]["requestBody"]["content"]["application/json"]
    assert create["schema"]["$ref"].endswith("/TicketIn")
    invalid = paths["/api/v1/tickets"]["post"]["responses"]["422"]["content"]
    shapes = [item["$ref"] for item in invalid["application/json"]["schema"]["anyOf"]]
    assert [ref.rsplit("/", 1)[1] for ref in shapes] == ["InvalidOut", "ValidationErrorOut"]


def test_a_signed_in_session_is_no_api_token(client: Client, token: IssuedToken) -> None:
    ticket_id = open_ticket(client, token, login_problem())["id"]
    customer = create_user(email="taro@example.jp", password="a-long-customer-password")
    Ticket.objects.filter(pk=ticket_id).update(customer=customer)
    client.force_login(customer)
    response = client.get(f"/api/v1/tickets/{ticket_id}")
    assert (response.status_code, response.json()["code"]) == (401, "token_missing")


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00garbage", b'{"subject": "\\ud800"'])
def test_a_body_that_is_not_json_gets_a_translated_400(
    client: Client, token: IssuedToken, body: bytes
) -> None:
    response = client.post(
        "/api/v1/tickets",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token.plaintext}",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid_json"
    assert "JSON" in answer["message"] and "読" in answer["message"]
