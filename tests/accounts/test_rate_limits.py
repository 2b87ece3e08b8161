"""Login and signup are rate limited (settings.ACCOUNT_RATE_LIMITS, counted in the cache)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.accounts.conftest import log_in

pytestmark = pytest.mark.django_db


def test_after_five_failed_logins_even_the_right_password_is_refused(
    client: Client, make_user
) -> None:
    user = make_user()
    for _attempt in range(5):
        response = log_in(client, user.email, password="guess password 1")
        assert "メールアドレスもしくはパスワードが正しくありません" in response.content.decode()
    response = log_in(client, user.email)
    assert response.status_code == 200
    assert "ログイン失敗が連続しています" in response.content.decode()
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
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("language", "title"), [("ja", "試行回数が多すぎます"), ("en", "Too many attempts")]
)
def test_a_flood_of_login_posts_gets_a_429_page_in_the_visitors_language(
    client: Client, language: str, title: str
) -> None:
    statuses = [
        client.post(
            f"/{language}/accounts/login/",
            {"login": f"nobody{n}@example.com", "password": "x"},
        ).status_code
        for n in range(31)
    ]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    response = client.post(f"/{language}/accounts/login/", {"login": "a@b.example"})
    assert response.status_code == 429
    body = response.content.decode()
    assert title in body
    assert f'<html lang="{language}">' in body


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
