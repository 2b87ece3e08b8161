"""Login and signup are rate limited (settings.ACCOUNT_RATE_LIMITS, counted in the cache)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.accounts.conftest import log_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title"), [("ja", "試行回数が多すぎます"), ("en", "Too many attempts")]
)
def test_after_five_failed_logins_even_the_right_password_gets_a_429_page(
    client: Client, make_user, language: str, title: str
) -> None:
    user = make_user()
    for _attempt in range(5):
        response = log_in(client, user.email, password="guess password 1", language=language)
        assert response.status_code == 200, "a wrong password only re-shows the form"
    response = log_in(client, user.email, language=language)
    assert response.status_code == 429
    assert title in response.content.decode()
    assert f'<html lang="{language}">' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_logins_count_per_address_from_any_network(client: Client, make_user) -> None:
    user = make_user()
    for attempt in range(5):
        client.post(
            "/en/accounts/login/",
            {"login": user.email, "password": "guess password 1"},
            REMOTE_ADDR=f"203.0.113.{attempt + 1}",
        )
    response = client.post(
        "/en/accounts/login/",
        {"login": user.email, "password": "correct horse battery staple 7"},
        REMOTE_ADDR="198.51.100.9",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failed_logins_from_one_network_are_limited_whatever_the_address(
    client: Client,
) -> None:
    statuses = [
        log_in(client, f"nobody{n}@example.com", password="guess password 1").status_code
        for n in range(6)
    ]
    assert statuses == [200] * 5 + [429]


def test_more_than_thirty_login_posts_a_minute_get_a_429(client: Client) -> None:
    # Incomplete forms never reach a password check, yet each POST counts.
    statuses = [
        client.post("/en/accounts/login/", {"login": f"n{n}@example.com"}).status_code
        for n in range(31)
    ]
    assert statuses == [200] * 30 + [429]
    assert "Too many attempts" in client.post("/en/accounts/login/", {}).content.decode()


def test_signups_from_one_address_are_limited_to_ten_an_hour(client: Client) -> None:
    statuses = [
        client.post(
            "/ja/accounts/signup/",
            {"email": f"new{n}@example.com", "password1": "pw", "password2": "pw"},
        ).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert "試行回数が多すぎます" in client.post("/ja/accounts/signup/", {}).content.decode()
