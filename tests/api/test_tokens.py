"""API token services: the secret shown once and stored as a hash, revocation, expiry, last use."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from madoguchi.api import tokens
from madoguchi.api.errors import ApiError
from madoguchi.api.models import ApiToken
from madoguchi.api.tokens import create_api_token, find_api_token, revoke_api_token
from tests.api.conftest import Issue, bearer

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"mdg_([a-z0-9]{8})_([A-Za-z0-9]{40})")


def whoami(client: Client, token: object) -> tuple[int, dict]:
    response = client.get("/api/v1/token", **bearer(token))  # type: ignore[arg-type]
    return response.status_code, response.json()


def test_a_new_token_reads_mdg_then_its_id_then_a_long_random_secret(issue: Issue) -> None:
    first, second = issue(), issue()
    match = TOKEN.fullmatch(first.plaintext)
    assert match, first.plaintext
    assert match.group(1) == first.token.public_id
    assert first.plaintext != second.plaintext
    assert first.token.public_id != second.token.public_id


def test_a_new_token_opens_the_api_and_the_answer_never_holds_the_secret(
    issue: Issue, client: Client
) -> None:
    issued = issue("tickets:read", "messages:write", groups="security,general")
    status, body = whoami(client, issued)
    assert status == 200
    assert body == {
        "id": issued.token.public_id,
        "name": "exchange back office",
        "scopes": ["tickets:read", "messages:write"],
        "groups": ["general", "security"],
        "created_at": body["created_at"],
        "expires_at": None,
    }
    secret = TOKEN.fullmatch(issued.plaintext).group(2)  # type: ignore[union-attr]
    assert secret not in str(body)


def test_only_the_sha256_of_the_secret_is_stored(issue: Issue) -> None:
    issued = issue()
    secret = TOKEN.fullmatch(issued.plaintext).group(2)  # type: ignore[union-attr]
    row = ApiToken.objects.values().get(pk=issued.token.pk)
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(value) for value in row.values())
    assert secret not in stored and issued.plaintext not in stored
    assert issued.plaintext not in repr(issued)


def test_the_secret_is_compared_in_constant_time_even_for_an_unknown_id(
    issue: Issue, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = issue()
    compared: list[tuple[str, str]] = []
    compare_digest = hmac.compare_digest

    def recording_compare_digest(a: str, b: str) -> bool:
        compared.append((a, b))
        return compare_digest(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", recording_compare_digest)
    assert whoami(client, issued)[0] == 200
    unknown_id = "mdg_zzzzzzzz_" + issued.plaintext[-40:]
    assert whoami(client, unknown_id)[1]["code"] == "token_invalid"
    assert len(compared) == 2
    assert compared[0][0] == compared[0][1] == issued.token.secret_hash


def test_a_wrong_secret_and_an_unknown_id_get_the_same_answer(issue: Issue, client: Client) -> None:
    issued = issue()
    wrong_secret = issued.plaintext[:-1] + ("a" if issued.plaintext[-1] != "a" else "b")
    unknown_id = "mdg_zzzzzzzz_" + issued.plaintext[-40:]
    assert whoami(client, wrong_secret) == whoami(client, unknown_id)
    assert whoami(client, wrong_secret)[0] == 401


def test_a_revoked_token_stops_working_at_once(issue: Issue, client: Client) -> None:
    issued = issue()
    assert whoami(client, issued)[0] == 200
    assert revoke_api_token(token=issued.token) is True
    status, body = whoami(client, issued)
    assert (status, body["code"]) == (401, "token_revoked")


def test_revoking_twice_changes_nothing_the_second_time(issue: Issue) -> None:
    issued = issue()
    assert revoke_api_token(token=issued.token) is True
    first = ApiToken.objects.get(pk=issued.token.pk).revoked_at
    assert revoke_api_token(token=ApiToken.objects.get(pk=issued.token.pk)) is False
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at == first


def test_an_expired_token_is_refused_and_says_so(issue: Issue, client: Client) -> None:
    issued = issue(expires_in_days=30)
    assert issued.token.expires_at is not None
    assert whoami(client, issued)[0] == 200
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    status, body = whoami(client, issued)
    assert (status, body["code"]) == (401, "token_expired")


def test_last_use_is_written_at_most_once_a_minute(issue: Issue, client: Client) -> None:
    issued = issue()
    assert issued.token.last_used_at is None

    def updates_during_request() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert whoami(client, issued)[0] == 200
        return sum(q["sql"].lstrip().upper().startswith("UPDATE") for q in queries)

    assert updates_during_request() == 1
    first_use = ApiToken.objects.get(pk=issued.token.pk).last_used_at
    assert first_use is not None
    assert updates_during_request() == 0
    assert updates_during_request() == 0
    an_hour_ago = timezone.now() - timedelta(hours=1)
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=an_hour_ago)
    assert updates_during_request() == 1
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at > an_hour_ago  # type: ignore[operator]


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"scopes": "tickets:read,tickets:delete"}, "unknown_scope"),
        ({"scopes": "TICKETS:READ"}, "unknown_scope"),
        ({"scopes": " , ,"}, "scopes_required"),
        ({"scopes": []}, "scopes_required"),
        ({"groups": "Security"}, "invalid_group"),
        ({"groups": "security,../admin"}, "invalid_group"),
        ({"groups": "a" * 51}, "invalid_group"),
        ({"name": "   "}, "invalid_name"),
        ({"name": "x" * 101}, "invalid_name"),
        ({"name": "back\noffice"}, "invalid_name"),
        ({"name": "back\u202eoffice"}, "invalid_name"),
        ({"expires_in_days": 0}, "invalid_expiry"),
        ({"expires_in_days": 3651}, "invalid_expiry"),
    ],
)
def test_bad_input_is_refused_with_a_code_and_nothing_is_written(
    options: dict[str, object], code: str
) -> None:
    arguments: dict[str, object] = {"name": "exchange back office", "scopes": "tickets:read"}
    arguments.update(options)
    with pytest.raises(ApiError) as refused:
        create_api_token(**arguments)  # type: ignore[arg-type]
    assert refused.value.code == code
    assert refused.value.message
    assert not ApiToken.objects.exists()


def test_scopes_and_groups_are_kept_once_each_in_a_fixed_order() -> None:
    issued = create_api_token(
        name="bot",
        scopes=" account-context:write , tickets:read,tickets:read ",
        groups="security, general,security",
    )
    assert issued.token.scopes == ["tickets:read", "account-context:write"]
    assert issued.token.groups == ["general", "security"]
    assert issued.token.allows_group("security") and not issued.token.allows_group("kyc")
    everywhere = create_api_token(name="bot", scopes="tickets:read")
    assert everywhere.token.allows_group("kyc")


def test_a_token_is_found_by_its_id_or_by_the_whole_token(issue: Issue) -> None:
    issued = issue()
    assert find_api_token(issued.token.public_id) == issued.token
    assert find_api_token(issued.plaintext) == issued.token
    assert find_api_token(f"  {issued.token.public_id}\n") == issued.token
    for nothing in ("", "mdg_", "zzzzzzzz", "' OR 1=1 --", "x" * 10_000, "\udc80"):
        assert find_api_token(nothing) is None
