"""People set, see, change and remove their anti-phishing code, after the password again."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from madoguchi.accounts.models import User
from tests.accounts.conftest import PASSWORD, enrol_totp, log_in, totp_code

pytestmark = pytest.mark.django_db

OVERVIEW = "/ja/accounts/anti-phishing-code/"
CHANGE = "/ja/accounts/anti-phishing-code/change/"


def reauthenticate(client: Client, response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith("/ja/accounts/reauthenticate/")
    assert client.post(response["Location"], {"password": PASSWORD}).status_code == 302


def signed_in_and_confirmed(client: Client, user: User) -> None:
    log_in(client, user.email)
    reauthenticate(client, client.get(CHANGE))


def test_the_account_settings_link_to_the_code_page_and_it_explains_the_code(
    client: Client, make_user
) -> None:
    log_in(client, make_user().email)
    settings_page = client.get("/ja/accounts/email/").content.decode()
    assert f'href="{OVERVIEW}"' in settings_page
    page = client.get(OVERVIEW)
    assert page.status_code == 200
    text = page.content.decode()
    assert "フィッシング対策コード" in text
    assert "まだ設定されていません" in text
    assert 'href="/ja/articles/anti-phishing-code/"' in text


def test_the_code_cannot_be_seen_or_changed_without_the_password_again(
    client: Client, make_user
) -> None:
    user = make_user()
    user.anti_phishing_code = "Otsukimi2024"
    user.save(update_fields=["anti_phishing_code"])
    log_in(client, user.email)
    assert "Otsukimi2024" not in client.get(OVERVIEW).content.decode()
    for response in (client.get(CHANGE), client.post(CHANGE, {"code": "Stolen99"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/ja/accounts/reauthenticate/")
    user.refresh_from_db()
    assert user.anti_phishing_code == "Otsukimi2024"


def test_a_change_posted_before_the_password_goes_through_after_it(
    client: Client, make_user
) -> None:
    user = make_user()
    log_in(client, user.email)
    response = client.post(CHANGE, {"code": "月見うさぎ7"})
    reauthenticate(client, response)
    user.refresh_from_db()
    assert user.anti_phishing_code == "月見うさぎ7"


def test_a_customer_sets_sees_masked_changes_and_removes_the_code(
    client: Client, make_user, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user()
    signed_in_and_confirmed(client, user)
    caplog.set_level(logging.INFO)

    saved = client.post(CHANGE, {"code": "ＯＴＳＵＫＩＭＩ２０２４"}, follow=True)
    assert "フィッシング対策コードを保存しました" in saved.content.decode()
    user.refresh_from_db()
    assert user.anti_phishing_code == "OTSUKIMI2024", "full-width input is stored NFKC-normalised"

    response = client.get(CHANGE)
    # Not kept by the browser or a proxy: the back button after logging out shows nothing.
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    # Behind a closed <details>: the code is in the page only for the one who opens it.
    assert "<details" in page and "<details open" not in page
    assert "OTSUKIMI2024" in page.split("<details", 1)[1].split("</details>", 1)[0]
    assert 'value="OTSUKIMI2024"' not in page

    client.post(CHANGE, {"code": "ﾂｷﾐ2025"})
    user.refresh_from_db()
    assert user.anti_phishing_code == "ツキミ2025"

    removed = client.post(CHANGE, {"remove": "1"}, follow=True)
    assert "削除しました" in removed.content.decode()
    user.refresh_from_db()
    assert user.anti_phishing_code == ""

    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "anti-phishing code set" in logged and "anti-phishing code removed" in logged
    for secret in ("OTSUKIMI2024", "ツキミ2025", "ﾂｷﾐ2025", user.email):
        assert secret not in logged


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("abc", "4〜20文字"),
        ("a" * 21, "4〜20文字"),
        ("   ", "必須"),
        ("me@tsukimi", "「@」"),
        ("tsukimi.example", "アドレス"),
        ("http://x", "アドレス"),
        ("www.tsukimi", "アドレス"),
        ("abc def", "記号"),
        ("code!2024", "記号"),
        ("пароль12", "記号"),
    ],
)
def test_a_code_that_is_not_allowed_is_refused_with_a_reason(
    client: Client, make_user, code: str, message: str
) -> None:
    user = make_user()
    signed_in_and_confirmed(client, user)
    response = client.post(CHANGE, {"code": code})
    assert response.status_code == 400
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.anti_phishing_code == ""


def test_the_english_page_explains_errors_in_english(client: Client, make_user) -> None:
    user = make_user(language="en")
    log_in(client, user.email, language="en")
    page = client.get("/en/accounts/anti-phishing-code/change/")
    assert client.post(page["Location"], {"password": PASSWORD}).status_code == 302
    response = client.post("/en/accounts/anti-phishing-code/change/", {"code": "a@b"})
    assert "cannot contain" in response.content.decode()


def test_changes_are_rate_limited_per_account(client: Client, make_user, settings) -> None:
    limits = {**settings.ACCOUNT_RATE_LIMITS, "change_anti_phishing_code": "3/h/user"}
    settings.ACCOUNT_RATE_LIMITS = limits
    user = make_user()
    signed_in_and_confirmed(client, user)
    for number in range(3):
        assert client.post(CHANGE, {"code": f"Tsukimi{number}00"}).status_code == 302
    assert client.post(CHANGE, {"code": "Tsukimi999"}).status_code == 429
    user.refresh_from_db()
    assert user.anti_phishing_code == "Tsukimi200"


def test_staff_set_a_code_too(client: Client, make_user) -> None:
    agent = make_user(role="agent")
    log_in(client, agent.email)
    secret = enrol_totp(client)
    client.post("/ja/accounts/logout/")
    log_in(client, agent.email)
    client.post("/ja/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    reauthenticate(client, client.get(CHANGE))
    assert client.post(CHANGE, {"code": "窓口当番"}).status_code == 302
    agent.refresh_from_db()
    assert agent.anti_phishing_code == "窓口当番"
