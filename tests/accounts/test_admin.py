"""Users in the admin: a role change there goes through set_role, new users can log in."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from madoguchi.accounts.models import User
from tests.accounts.conftest import PASSWORD, enrol_totp, log_in, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client, make_user) -> Client:
    admin = make_user(role="admin")
    log_in(client, admin.email)
    secret = enrol_totp(client)
    client.post("/en/accounts/logout/")
    log_in(client, admin.email, language="en")
    client.post("/en/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert client.get("/en/admin/").status_code == 200
    return client


def test_the_user_list_shows_email_and_role(admin_client: Client, make_user) -> None:
    make_user(role="editor", email="writer@tsukimi.example")
    body = admin_client.get("/en/admin/accounts/user/").content.decode()
    assert "writer@tsukimi.example" in body
    assert "Editor" in body


def test_changing_a_role_in_the_admin_moves_the_user_between_groups(
    admin_client: Client, make_user
) -> None:
    user = make_user(role="customer")
    form = {
        "email": user.email,
        "role": "moderator",
        "preferred_language": "en",
        "is_active": "on",
    }
    response = admin_client.post(f"/en/admin/accounts/user/{user.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.role == "moderator" and user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["moderator"]
    assert user.preferred_language == "en"


def test_a_user_added_in_the_admin_can_log_in_by_email(admin_client: Client) -> None:
    response = admin_client.post(
        "/en/admin/accounts/user/add/",
        {
            "email": "new.agent@tsukimi.example",
            "role": "agent",
            "preferred_language": "ja",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="new.agent@tsukimi.example")
    assert user.username == user.email
    assert user.is_staff and list(user.groups.values_list("name", flat=True)) == ["agent"]
    assert EmailAddress.objects.filter(user=user, verified=True, primary=True).exists()
    other = Client()
    assert log_in(other, user.email).status_code == 302
    assert other.session.get("_auth_user_id") == str(user.pk)


def test_the_admin_offers_the_language_switcher_and_two_factor_settings(
    admin_client: Client,
) -> None:
    body = admin_client.get("/en/admin/").content.decode()
    assert 'name="language" value="ja"' in body
    assert 'href="/en/accounts/2fa/"' in body
