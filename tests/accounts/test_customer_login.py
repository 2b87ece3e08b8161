"""Customers sign up and log in by email, and must confirm the address first."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from madoguchi.accounts.models import User
from tests.accounts.conftest import PASSWORD, log_in

pytestmark = pytest.mark.django_db


def sign_up(client: Client, email: str, language: str = "ja"):
    return client.post(
        f"/{language}/accounts/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def confirmation_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+/accounts/confirm-email/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_customer_signs_up_confirms_the_email_and_is_logged_in(client: Client) -> None:
    response = sign_up(client, "Mika@Example.com")
    assert response.status_code == 302
    assert response["Location"] == "/ja/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session, "no session before the email is confirmed"

    user = User.objects.get(email="mika@example.com")
    assert user.role == "customer" and not user.is_staff
    assert user.preferred_language == "ja"
    assert list(user.groups.values_list("name", flat=True)) == ["customer"]

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mika@example.com"]
    assert "メールアドレス" in mail.outbox[0].subject + mail.outbox[0].body

    link = confirmation_link(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    assert "確認" in page.content.decode()
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_signing_up_on_the_english_site_remembers_english(client: Client) -> None:
    sign_up(client, "tom@example.com", language="en")
    user = User.objects.get(email="tom@example.com")
    assert user.preferred_language == "en"
    assert "Confirm" in mail.outbox[0].subject or "confirm" in mail.outbox[0].body


def test_an_unconfirmed_customer_cannot_log_in(client: Client) -> None:
    sign_up(client, "late@example.com")
    client.cookies.clear()
    response = log_in(client, "late@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/ja/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_a_confirmed_customer_logs_in_with_email_and_password(client: Client, make_user) -> None:
    user = make_user()
    response = log_in(client, user.email.upper())
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)
    home = client.get("/ja/")
    assert home.status_code == 200, "customers need no second factor"
    assert "ログアウト" in home.content.decode()


def test_a_wrong_password_shows_a_translated_error(client: Client, make_user) -> None:
    user = make_user()
    response = log_in(client, user.email, password="wrong password 123")
    assert response.status_code == 200
    assert "メールアドレスもしくはパスワードが正しくありません" in response.content.decode()
    response = log_in(client, user.email, password="wrong password 123", language="en")
    assert "email address and/or password you specified are not correct" in (
        response.content.decode()
    )


def test_a_weak_password_is_refused_at_signup(client: Client) -> None:
    response = client.post(
        "/en/accounts/signup/",
        {"email": "weak@example.com", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "too short" in body or "too common" in body or "entirely numeric" in body
    assert not User.objects.filter(email="weak@example.com").exists()


def test_logging_in_and_out_keeps_the_language_of_the_page(client: Client, make_user) -> None:
    user = make_user(language="en")
    response = client.post(
        "/ja/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en-US,en",
    )
    assert response["Location"] == "/ja/"
    response = client.post("/en/accounts/logout/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response["Location"] == "/en/"


def test_a_next_address_wins_over_the_home_page(client: Client, make_user) -> None:
    user = make_user()
    response = client.post(
        "/en/accounts/login/?next=/en/accounts/email/",
        {"login": user.email, "password": PASSWORD},
    )
    assert response["Location"] == "/en/accounts/email/"


def test_account_mail_is_signed_with_the_exchanges_name_and_domain(client: Client) -> None:
    sign_up(client, "kaito@example.com")
    message = mail.outbox[0]
    assert message.subject.startswith("[Tsukimi Exchange] ")
    assert "Tsukimi Exchange" in message.body
    assert "testserver" in message.body, "the domain a customer can check"
