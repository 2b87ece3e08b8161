"""API tokens in the admin: created and shown once, listed, revoked; never a secret."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.test import Client

from madoguchi.accounts.services import create_user
from madoguchi.api.models import ApiToken
from tests.api.conftest import Issue, bearer

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"mdg_[a-z0-9]{8}_[A-Za-z0-9]{40}")
ADD = "/en/admin/api/apitoken/add/"
LIST = "/en/admin/api/apitoken/"


def staff_client(role: str) -> tuple[Client, Any]:
    user = create_user(email=f"{role}@tsukimi.example", password="a-long-password-1", role=role)
    # Staff must have a second factor before the admin lets them in.
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def admin_client() -> Client:
    return staff_client("admin")[0]


def test_an_administrator_creates_a_token_and_sees_it_once(admin_client: Client) -> None:
    form = admin_client.get(ADD)
    assert form.status_code == 200
    assert "account-context:write" in form.content.decode()
    response = admin_client.post(
        ADD,
        {
            "name": "exchange back office",
            "scopes": ["tickets:read", "messages:write"],
            "groups": "security, general",
            "expires_in_days": "90",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = TOKEN.findall(response.content.decode())
    assert len(shown) == 1
    token = ApiToken.objects.get()
    assert token.created_by is not None and token.created_by.email == "admin@tsukimi.example"
    assert (token.scopes, token.groups) == (
        ["tickets:read", "messages:write"],
        ["general", "security"],
    )
    assert token.expires_at is not None
    assert LogEntry.objects.filter(object_id=str(token.pk)).exists()
    assert Client().get("/api/v1/token", **bearer(shown[0])).status_code == 200
    page = admin_client.get(f"{LIST}{token.pk}/change/").content.decode()
    listing = admin_client.get(LIST).content.decode()
    for text in (page, listing):
        assert token.public_id in text
        assert shown[0][-40:] not in text and token.secret_hash not in text


def test_a_bad_group_is_shown_on_the_form_and_nothing_is_created(admin_client: Client) -> None:
    response = admin_client.post(
        ADD, {"name": "bot", "scopes": ["tickets:read"], "groups": "Security Team"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Security Team" in body and "lower-case letters" in body
    assert not TOKEN.search(body)
    assert not ApiToken.objects.exists()


def test_the_form_needs_a_scope_and_a_name(admin_client: Client) -> None:
    response = admin_client.post(ADD, {"name": "", "scopes": [], "groups": ""})
    assert response.status_code == 200
    assert response.content.decode().count("This field is required") == 2
    assert not ApiToken.objects.exists()


def test_revoking_in_the_admin_locks_the_integration_out(
    admin_client: Client, issue: Issue
) -> None:
    kept, revoked = issue(name="kept"), issue(name="leaked")
    response = admin_client.post(
        LIST, {"action": "revoke_selected", "_selected_action": [revoked.token.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "Revoked 1 API token." in response.content.decode()
    revoked.token.refresh_from_db()
    assert revoked.token.revoked_by is not None
    outside = Client()
    assert outside.get("/api/v1/token", **bearer(revoked)).json()["code"] == "token_revoked"
    assert outside.get("/api/v1/token", **bearer(kept)).status_code == 200


def test_tokens_cannot_be_edited_or_deleted_only_revoked(
    admin_client: Client, issue: Issue
) -> None:
    issued = issue()
    page = admin_client.get(f"{LIST}{issued.token.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert admin_client.get(f"{LIST}{issued.token.pk}/delete/").status_code == 403
    assert ApiToken.objects.filter(pk=issued.token.pk).exists()


def test_an_editor_cannot_see_or_create_tokens(issue: Issue) -> None:
    editor, _ = staff_client("editor")
    issue()
    assert editor.get(LIST).status_code == 403
    assert editor.get(ADD).status_code == 403
    assert editor.post(ADD, {"name": "x", "scopes": ["tickets:read"]}).status_code == 403
    assert ApiToken.objects.count() == 1
