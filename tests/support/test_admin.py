"""The deflection list in the admin: read, never written by hand."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from madoguchi.accounts.services import create_user
from madoguchi.support.deflection import record_deflection
from madoguchi.tickets.models import ProblemType

pytestmark = pytest.mark.django_db

LIST = "/ja/admin/support/deflection/"


@pytest.fixture
def admin_client() -> Client:
    admin: Any = create_user(
        email="admin@tsukimi.example", password="a-long-admin-password", role="admin"
    )
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client()
    client.force_login(admin)
    return client


def test_an_administrator_reads_which_articles_solved_problems_but_cannot_add_one(
    admin_client: Client,
) -> None:
    record_deflection(
        problem_type=ProblemType.objects.get(slug="deposit"),
        article="/ja/articles/deposit-not-credited/",
        language="ja",
    )
    page = admin_client.get(LIST)
    assert page.status_code == 200
    assert "/ja/articles/deposit-not-credited/" in page.content.decode()
    assert "入金が反映されない" in page.content.decode()
    assert admin_client.get(LIST + "add/").status_code == 403
