"""Staff sign in with a TOTP second factor; without one they can only enrol it."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from tests.accounts.conftest import PASSWORD, enrol_totp, log_in, totp_code

pytestmark = pytest.mark.django_db

ACTIVATE = "/ja/accounts/2fa/totp/activate/"


def log_out(client: Client) -> None:
    assert client.post("/ja/accounts/logout/").status_code == 302


@pytest.mark.parametrize("role", ["agent", "moderator", "editor", "admin"])
def test_staff_without_an_authenticator_are_sent_to_enrol_one(
    client: Client, make_user, role: str
) -> None:
    staff = make_user(role=role)
    log_in(client, staff.email)
    for page in ("/ja/", "/ja/admin/", "/en/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].endswith("/accounts/2fa/totp/activate/")
    # Before a second factor changes, allauth asks for the password once more.
    confirm = client.get(ACTIVATE)
    assert confirm["Location"].startswith("/ja/accounts/reauthenticate/")
    client.post(confirm["Location"], {"password": PASSWORD})
    enrolment = client.get(ACTIVATE)
    assert enrolment.status_code == 200
    assert "認証アプリを有効化する" in enrolment.content.decode()


def test_customers_are_never_asked_to_enrol(client: Client, make_user) -> None:
    customer = make_user()
    log_in(client, customer.email)
    assert client.get("/ja/").status_code == 200


def test_a_staff_member_enrols_then_must_give_a_code_at_every_login(
    client: Client, make_user
) -> None:
    agent = make_user(role="agent")
    log_in(client, agent.email)
    secret = enrol_totp(client)
    assert Authenticator.objects.filter(user=agent, type=Authenticator.Type.TOTP).exists()
    assert client.get("/ja/").status_code == 200, "enrolled staff may work"
    log_out(client)

    response = log_in(client, agent.email)
    assert response.status_code == 302
    assert response["Location"] == "/ja/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session, "the password alone opens nothing"
    prompt = client.get("/ja/accounts/2fa/authenticate/")
    assert "二段階認証" in prompt.content.decode()

    wrong = client.post("/ja/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    if totp_code(secret) != "000000":
        assert "コードが正しくありません" in wrong.content.decode()

    right = client.post("/ja/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert right.status_code == 302
    assert client.session.get("_auth_user_id") == str(agent.pk)


def test_a_code_works_only_once(client: Client, make_user) -> None:
    editor = make_user(role="editor")
    log_in(client, editor.email)
    secret = enrol_totp(client)
    log_out(client)
    log_in(client, editor.email)
    code = totp_code(secret)
    assert client.post("/ja/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    log_out(client)
    log_in(client, editor.email)
    replay = client.post("/ja/accounts/2fa/authenticate/", {"code": code})
    if totp_code(secret) == code:  # still the same 30-second window: the replay is refused
        assert replay.status_code == 200
        assert "_auth_user_id" not in client.session


def test_the_admin_login_page_sends_everyone_to_the_two_factor_login(client: Client) -> None:
    response = client.get("/ja/admin/login/?next=/ja/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/ja/accounts/login/?next=")
    assert "%2Fja%2Fadmin%2F" in response["Location"] or "/ja/admin/" in response["Location"]


def test_a_password_posted_to_the_admin_login_does_not_log_in(client: Client, make_user) -> None:
    admin = make_user(role="admin")
    response = client.post(
        "/ja/admin/login/?next=/ja/admin/", {"username": admin.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/ja/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_an_enrolled_admin_reaches_the_admin_after_the_code(client: Client, make_user) -> None:
    admin = make_user(role="admin")
    log_in(client, admin.email)
    secret = enrol_totp(client)
    log_out(client)
    response = client.post(
        "/ja/accounts/login/?next=/ja/admin/", {"login": admin.email, "password": PASSWORD}
    )
    assert response["Location"] == "/ja/accounts/2fa/authenticate/"
    done = client.post("/ja/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert done["Location"] == "/ja/admin/"
    index = client.get("/ja/admin/")
    assert index.status_code == 200
    assert "madoguchi 管理サイト" in index.content.decode()


def test_a_customer_is_refused_by_the_admin(client: Client, make_user) -> None:
    customer = make_user()
    log_in(client, customer.email)
    response = client.get("/ja/admin/", follow=True)
    assert response.status_code == 403
