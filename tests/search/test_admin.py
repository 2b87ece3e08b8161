"""Editors keep the synonym table in the Django admin; customers cannot reach it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from madoguchi.accounts.services import create_user
from madoguchi.search.query import search

Index = Callable[..., list]

ADD_URL = "/ja/admin/search/synonymgroup/add/"


@pytest.fixture
def staff_client(db: None) -> Any:
    def login(role: str) -> Client:
        user = create_user(email=f"{role}@tsukimi.example", password="a-long-password-1", role=role)
        if role != "customer":
            Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
        client = Client()
        client.force_login(user)
        return client

    return login


def test_a_synonym_an_editor_adds_in_the_admin_changes_the_next_search(
    index: Index, staff_client: Any
) -> None:
    index({"slug": "deposit-missing", "title": "入金が反映されない", "body": "入金の確認方法。"})
    assert search("着弾", locale="ja", log=False).results == []

    editor = staff_client("editor")
    response = editor.post(ADD_URL, {"terms": "着弾, 入金", "enabled": "on", "note": "現場の言葉"})

    assert response.status_code == 302, response.content.decode()[:500]
    assert [hit.slug for hit in search("着弾", locale="ja", log=False).results] == [
        "deposit-missing"
    ]


def test_a_customer_cannot_open_the_synonym_table(staff_client: Any) -> None:
    customer = staff_client("customer")
    response = customer.get(ADD_URL)
    assert response.status_code in {302, 404}
    assert "synonymgroup" not in response.content.decode()
