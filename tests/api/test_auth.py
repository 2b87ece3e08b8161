"""ApiTokenAuth: 401 for a missing or bad token, 403 naming a missing scope, in ja and en."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from madoguchi.api.tokens import revoke_api_token
from tests.api.conftest import Issue, bearer

pytestmark = pytest.mark.django_db

scoped = pytest.mark.urls("tests.api.scoped_api")

MISSING_EN = "Send an API token in the Authorization header, as “Bearer mdg_…”."
MISSING_JA = "APIトークンを Authorization ヘッダーで送信してください（「Bearer mdg_…」の形式）。"


def test_no_token_is_a_401_with_a_bearer_challenge_in_both_languages(client: Client) -> None:
    en = client.get("/api/v1/token", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    ja = client.get("/api/v1/token", HTTP_ACCEPT_LANGUAGE="ja")
    assert en.status_code == ja.status_code == 401
    assert en.json() == {"code": "token_missing", "message": MISSING_EN}
    assert ja.json() == {"code": "token_missing", "message": MISSING_JA}
    assert en["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer    ", "Token {token}", "Basic {token}", "{token}", "bearer"],
)
def test_a_header_without_a_bearer_token_counts_as_no_token(
    issue: Issue, client: Client, header: str
) -> None:
    issued = issue()
    response = client.get("/api/v1/token", HTTP_AUTHORIZATION=header.format(token=issued.plaintext))
    assert (response.status_code, response.json()["code"]) == (401, "token_missing")


def test_the_scheme_name_is_case_insensitive(issue: Issue, client: Client) -> None:
    issued = issue()
    response = client.get("/api/v1/token", HTTP_AUTHORIZATION=f"bEaReR {issued.plaintext}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "presented",
    [
        "mdg_",
        "mdg_abcdefgh_",
        "mdg_ABCDEFGH_" + "a" * 40,
        "mdg_abcdefgh_" + "a" * 39,
        "mdg_abcdefgh_" + "a" * 41,
        "mdg_abcdefgh_" + "a" * 39 + "é",
        "mdg_abcdefgh_" + "a" * 39 + "\x00",
        "x" * 100_000,
        "' OR 1=1 --",
        "mdg_abcdefgh_%s%s%s%s%n" + "a" * 30,
        "𝕞𝕕𝕘_abcdefgh_" + "a" * 40,
    ],
)
def test_anything_that_is_not_a_token_is_a_401_never_a_500(client: Client, presented: str) -> None:
    response = client.get("/api/v1/token", HTTP_AUTHORIZATION=f"Bearer {presented}")
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"
    assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


def test_a_revoked_token_is_told_apart_in_both_languages(issue: Issue, client: Client) -> None:
    issued = issue()
    revoke_api_token(token=issued.token)
    en = client.get("/api/v1/token", **bearer(issued), HTTP_ACCEPT_LANGUAGE="en")
    ja = client.get("/api/v1/token", **bearer(issued), HTTP_ACCEPT_LANGUAGE="ja")
    assert en.json() == {
        "code": "token_revoked",
        "message": "This API token has been revoked. Ask an administrator for a new one.",
    }
    assert ja.json() == {
        "code": "token_revoked",
        "message": "このAPIトークンは無効化されています。"
        "管理者に新しいトークンの発行をご依頼ください。",
    }


@scoped
def test_a_token_with_the_scope_gets_in_and_the_endpoint_reads_it_as_request_auth(
    issue: Issue, client: Client
) -> None:
    issued = issue("tickets:read", groups="general")
    response = client.get("/test-api/tickets", **bearer(issued))
    assert response.status_code == 200
    assert response.json() == {"token": issued.token.public_id, "security": False}


@scoped
def test_a_token_without_the_scope_is_a_403_that_names_it(issue: Issue, client: Client) -> None:
    issued = issue("messages:write")
    en = client.get("/test-api/tickets", **bearer(issued), HTTP_ACCEPT_LANGUAGE="en")
    ja = client.get("/test-api/tickets", **bearer(issued), HTTP_ACCEPT_LANGUAGE="ja")
    assert en.status_code == ja.status_code == 403
    assert en.json() == {
        "code": "scope_missing",
        "message": "This API token does not have the scope tickets:read that this request needs.",
    }
    assert ja.json()["code"] == "scope_missing"
    assert "tickets:read" in ja.json()["message"] and ja.json()["message"] != en.json()["message"]
    assert en["WWW-Authenticate"] == (
        'Bearer realm="api", error="insufficient_scope", scope="tickets:read"'
    )


@scoped
def test_an_endpoint_with_two_scopes_needs_both(issue: Issue, client: Client) -> None:
    reader = issue("tickets:read")
    writer = issue("tickets:write")
    both = issue("tickets:read", "tickets:write")
    assert client.post("/test-api/tickets", **bearer(both)).status_code == 200
    refused = client.post("/test-api/tickets", **bearer(reader), HTTP_ACCEPT_LANGUAGE="en")
    assert (refused.status_code, refused.json()["code"]) == (403, "scope_missing")
    assert "tickets:write" in refused.json()["message"]
    assert "tickets:read" in client.post("/test-api/tickets", **bearer(writer)).json()["message"]


@scoped
def test_require_scope_inside_an_endpoint_answers_the_same_403(
    issue: Issue, client: Client
) -> None:
    assert client.post("/test-api/messages", **bearer(issue("messages:write"))).status_code == 200
    refused = client.post(
        "/test-api/messages", **bearer(issue("tickets:read")), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "scope_missing")
    assert "messages:write" in refused.json()["message"]
    assert refused["WWW-Authenticate"].endswith('scope="messages:write"')


@scoped
def test_a_bad_token_is_refused_before_any_scope_is_looked_at(client: Client) -> None:
    response = client.get("/test-api/tickets", HTTP_AUTHORIZATION="Bearer mdg_nothing")
    assert (response.status_code, response.json()["code"]) == (401, "token_invalid")


def test_a_misspelt_scope_fails_when_the_endpoint_is_declared() -> None:
    from madoguchi.api.auth import ApiTokenAuth

    with pytest.raises(ValueError, match="ticket:read"):
        ApiTokenAuth("ticket:read")


def test_the_openapi_schema_offers_the_token_as_a_bearer_scheme(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["ApiTokenAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert scheme["bearerFormat"] == "mdg_<id>_<secret>"
    assert "tickets:write" in scheme["description"]
    token_get = schema["paths"]["/api/v1/token"]["get"]
    assert token_get["security"] == [{"ApiTokenAuth": []}]
    assert {"200", "401", "429"} <= set(token_get["responses"])
    assert "security" not in schema["paths"]["/api/v1/search"]["get"]


@scoped
def test_no_token_reaches_the_logs_whatever_it_is_sent_as(
    issue: Issue, client: Client, caplog: pytest.LogCaptureFixture, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True  # django-ninja's own bearer class logs odd headers in DEBUG
    issued = issue("messages:write")
    revoked = issue("tickets:read")
    revoke_api_token(token=revoked.token)
    secrets = [issued.plaintext[-40:], revoked.plaintext[-40:]]
    with caplog.at_level(logging.DEBUG):
        client.get("/test-api/tickets", **bearer(issued))
        client.get("/test-api/tickets", **bearer(revoked))
        client.get("/test-api/tickets", HTTP_AUTHORIZATION=f"Token {issued.plaintext}")
        client.get("/test-api/tickets", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}x")
        client.get("/api/v1/token", **bearer(issued))
    logged = caplog.text + " ".join(str(record.args) for record in caplog.records)
    assert caplog.records, "requests are logged at DEBUG; the check must see them"
    for secret in secrets:
        assert secret not in logged
