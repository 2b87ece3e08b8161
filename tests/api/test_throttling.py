"""Rate limits per token and per address: 429 with Retry-After, in the request's language."""

from __future__ import annotations

import time

import pytest
from django.test import Client, override_settings

from tests.api.conftest import Issue, bearer

pytestmark = pytest.mark.django_db

scoped = pytest.mark.urls("tests.api.scoped_api")


def statuses(client: Client, path: str, count: int, **headers: str) -> list[int]:
    return [client.get(path, **headers).status_code for _ in range(count)]  # type: ignore[arg-type]


@override_settings(MADOGUCHI_API_RATE="3/m")
def test_a_token_over_its_rate_gets_a_translated_429_with_retry_after(
    issue: Issue, client: Client
) -> None:
    issued = issue()
    assert statuses(client, "/api/v1/token", 3, **bearer(issued)) == [200, 200, 200]
    en = client.get("/api/v1/token", **bearer(issued), HTTP_ACCEPT_LANGUAGE="en")
    ja = client.get("/api/v1/token", **bearer(issued), HTTP_ACCEPT_LANGUAGE="ja")
    assert en.status_code == ja.status_code == 429
    assert en.json() == {
        "code": "rate_limited",
        "message": "Too many requests in a short time. Wait a moment and try again.",
    }
    assert ja.json() == {
        "code": "rate_limited",
        "message": "短時間に多数のリクエストがありました。"
        "しばらく待ってから、もう一度お試しください。",
    }
    # A minute's budget, back within a minute and a tenth (see madoguchi.safety.rate_limits).
    assert en["Retry-After"].isdigit() and 1 <= int(en["Retry-After"]) <= 66


@override_settings(MADOGUCHI_API_RATE="2/m")
def test_each_token_has_its_own_budget_and_anonymous_search_is_not_charged(
    issue: Issue, client: Client
) -> None:
    first, second = issue(), issue()
    assert statuses(client, "/api/v1/token", 3, **bearer(first)) == [200, 200, 429]
    assert statuses(client, "/api/v1/token", 2, **bearer(second)) == [200, 200]
    assert client.get("/api/v1/search/autocomplete", {"q": "x"}).status_code == 200


@scoped
@override_settings(MADOGUCHI_API_RATE="2/m")
def test_requests_refused_for_a_missing_scope_still_count(issue: Issue, client: Client) -> None:
    issued = issue("messages:write")
    assert statuses(client, "/test-api/tickets", 3, **bearer(issued)) == [403, 403, 429]


@override_settings(MADOGUCHI_API_RATE="1/s")
def test_waiting_as_long_as_retry_after_says_is_enough(issue: Issue, client: Client) -> None:
    issued = issue()
    for _ in range(3):
        refused = client.get("/api/v1/token", **bearer(issued))
        if refused.status_code == 429:
            break
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 1 <= wait <= 2
    # A refused request is not counted, so asking again while waiting does not prolong it.
    assert client.get("/api/v1/token", **bearer(issued)).status_code == 429
    time.sleep(wait)
    assert client.get("/api/v1/token", **bearer(issued)).status_code == 200


def test_search_and_autocomplete_share_one_budget_per_address_with_retry_after(
    client: Client, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.MADOGUCHI_SEARCH_RATE = "3/h"
    assert client.get("/api/v1/search", {"q": "出金"}).status_code in (200, 400)
    assert client.get("/api/v1/search/autocomplete", {"q": "出"}).status_code == 200
    assert client.get("/api/v1/search", {"q": "出金"}).status_code in (200, 400)
    limited = client.get("/api/v1/search/autocomplete", {"q": "出"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert limited.json()["message"].startswith("短時間に")
    assert 1 <= int(limited["Retry-After"]) <= 3960  # an hour, and a tenth of one
    other_address = client.get("/api/v1/search", {"q": "出金"}, REMOTE_ADDR="192.0.2.7")
    assert other_address.status_code in (200, 400)


@scoped
@override_settings(SCOPED_TEST_RATE="2/h", ALLAUTH_TRUSTED_PROXY_COUNT=0)
def test_without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_limit(
    client: Client,
) -> None:
    forged = [
        client.get("/test-api/public", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(3)
    ]
    assert forged == [200, 200, 429]


@scoped
@override_settings(SCOPED_TEST_RATE="1/h", ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_each_client_is_counted_by_the_address_it_forwarded(
    client: Client,
) -> None:
    def from_client(address: str, forged: str = "") -> int:
        chain = f"{forged}, {address}" if forged else address
        return client.get("/test-api/public", HTTP_X_FORWARDED_FOR=chain).status_code

    assert from_client("203.0.113.1") == 200
    assert from_client("203.0.113.2") == 200
    # Entries left of the proxy's own are whatever the client sent: they change nothing.
    assert from_client("203.0.113.1", forged="198.51.100.9") == 429


@scoped
@override_settings(SCOPED_TEST_RATE="2/h")
def test_ipv6_clients_are_counted_by_their_slash_64(client: Client) -> None:
    def status(address: str) -> int:
        return client.get("/test-api/public", REMOTE_ADDR=address).status_code

    assert status("2001:db8:1:2::1") == 200
    assert status("2001:db8:1:2:ffff::9") == 200
    assert status("2001:db8:1:2:abcd::5") == 429
    assert status("2001:db8:1:3::1") == 200
