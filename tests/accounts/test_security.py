"""Security defaults of the account pages: CSRF, POST-only logout, cookies, no enumeration,
no addresses or passwords in logs."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from django.core import mail
from django.test import Client

from tests.accounts.conftest import PASSWORD, log_in

pytestmark = pytest.mark.django_db


def test_a_login_without_a_csrf_token_is_refused_with_a_translated_page(make_user) -> None:
    user = make_user()
    client = Client(enforce_csrf_checks=True)
    response = client.post("/ja/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "もう一度お試しください" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_every_post_form_on_the_login_page_carries_a_csrf_token(client: Client) -> None:
    body = client.get("/en/accounts/login/").content.decode().lower()
    assert body.count('method="post"') == body.count('name="csrfmiddlewaretoken"') >= 2


def test_logout_needs_a_post(client: Client, make_user) -> None:
    user = make_user()
    log_in(client, user.email)
    page = client.get("/ja/accounts/logout/")
    assert page.status_code == 200, "a GET only asks for confirmation"
    assert client.session.get("_auth_user_id") == str(user.pk)
    assert 'method="post"' in page.content.decode()
    client.post("/ja/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_the_header_logs_out_with_a_form_not_a_link(client: Client, make_user) -> None:
    log_in(client, make_user().email)
    body = client.get("/ja/").content.decode()
    assert 'action="/ja/accounts/logout/" method="post"' in body
    assert 'href="/ja/accounts/logout/"' not in body


def test_the_session_cookie_is_http_only_and_same_site(client: Client, make_user) -> None:
    response = log_in(client, make_user().email)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_production_settings_send_cookies_over_https_only() -> None:
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.LANGUAGE_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0]))"
    )
    env = dict(os.environ, DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="help.example")
    env["DJANGO_SETTINGS_MODULE"] = "madoguchi.settings"
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == [True, True, True, True, True]


def test_signing_up_with_a_taken_email_looks_like_a_new_signup(client: Client, make_user) -> None:
    taken = make_user(email="taken@example.com")
    data = {"password1": PASSWORD, "password2": PASSWORD}
    fresh = client.post("/ja/accounts/signup/", {"email": "fresh@example.com", **data})
    client.cookies.clear()
    again = client.post("/ja/accounts/signup/", {"email": taken.email, **data})
    assert fresh.status_code == again.status_code == 302
    assert fresh["Location"] == again["Location"]
    # The owner of the address hears about the attempt; the visitor learns nothing.
    assert [m.to for m in mail.outbox] == [["fresh@example.com"], ["taken@example.com"]]


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    client: Client, make_user
) -> None:
    user = make_user()
    wrong = client.post("/en/accounts/login/", {"login": user.email, "password": "nope nope 1"})
    unknown = client.post(
        "/en/accounts/login/", {"login": "ghost@example.com", "password": "nope nope 1"}
    )
    message = "The email address and/or password you specified are not correct."
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()


def test_a_password_reset_for_an_unknown_email_looks_like_a_real_one(
    client: Client, make_user
) -> None:
    user = make_user()
    known = client.post("/ja/accounts/password/reset/", {"email": user.email})
    unknown = client.post("/ja/accounts/password/reset/", {"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_account_pages_write_no_email_address_or_password_to_the_logs(
    client: Client, make_user, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    user = make_user(email="private.person@example.com")
    client.post("/ja/accounts/login/", {"login": user.email, "password": "secret guess 9"})
    log_in(client, user.email)
    client.post("/ja/accounts/logout/")
    client.post(
        "/ja/accounts/signup/",
        {"email": "other.person@example.com", "password1": "pw", "password2": "pw"},
    )
    client.post("/ja/accounts/password/reset/", {"email": user.email})
    client.get("/ja/no-such-page/?email=private.person@example.com")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("private.person", "other.person", PASSWORD, "secret guess 9"):
        assert secret not in logged


def test_a_password_reset_mail_carries_the_anti_phishing_code_at_the_top(
    client: Client, make_user
) -> None:
    user = make_user()
    user.anti_phishing_code = "つきみ2026"
    user.save(update_fields=["anti_phishing_code"])
    client.post("/ja/accounts/password/reset/", {"email": user.email})
    (sent,) = mail.outbox
    assert sent.body.splitlines()[0] == "あなたのフィッシング対策コード: つきみ2026"


def test_a_password_reset_mail_without_a_code_set_starts_as_before(
    client: Client, make_user
) -> None:
    user = make_user()
    client.post("/ja/accounts/password/reset/", {"email": user.email})
    (sent,) = mail.outbox
    assert "フィッシング対策コード" not in sent.body.splitlines()[0]
