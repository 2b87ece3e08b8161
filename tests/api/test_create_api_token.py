"""`madoguchi create-api-token`: the token printed once on stdout; bad scopes refused by name."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from madoguchi.api.models import ApiToken
from tests.api.conftest import bearer
from tests.deployment import Deployment, deployment

__all__ = ["deployment"]  # the fixture, used by name below

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"mdg_[a-z0-9]{8}_[A-Za-z0-9]{40}")


def create(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_token_alone_goes_to_stdout_and_opens_the_api(client: Client) -> None:
    out, err = create("--name", "exchange back office", "--scopes", "tickets:read,tickets:write")
    assert TOKEN.fullmatch(out.strip()), out
    assert out.count("mdg_") == 1 and "mdg_" not in err
    token = ApiToken.objects.get()
    assert token.public_id in err
    assert "tickets:read, tickets:write" in err
    response = client.get("/api/v1/token", **bearer(out.strip()))
    assert response.status_code == 200
    assert response.json()["scopes"] == ["tickets:read", "tickets:write"]


def test_the_warning_says_the_token_is_not_shown_again_in_the_operators_language() -> None:
    from django.utils import translation

    with translation.override("en"):
        _, english = create("--name", "bot", "--scopes", "tickets:read")
    with translation.override("ja"):
        _, japanese = create("--name", "bot", "--scopes", "tickets:read")
    assert "shown only this once" in english
    assert "一度だけ" in japanese


def test_groups_and_expiry_are_stored() -> None:
    create(
        "--name", "security desk", "--scopes", "tickets:read",
        "--groups", "security,general", "--expires-days", "30",
    )  # fmt: skip
    token = ApiToken.objects.get()
    assert token.groups == ["general", "security"]
    assert token.expires_at is not None
    assert 29 <= (token.expires_at - token.created_at).days <= 30


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--scopes", "tickets:read,tickets:delete"],
            r"tickets:delete.*tickets:read, tickets:write",
        ),
        (["--scopes", ","], r"tickets:read, tickets:write, messages:write, account-context:write"),
        (["--scopes", "tickets:read", "--groups", "Security Team"], r"Security Team"),
        (["--scopes", "tickets:read", "--expires-days", "0"], r"3650"),
    ],
)
def test_bad_arguments_are_named_and_nothing_is_created(args: list[str], expected: str) -> None:
    with pytest.raises(CommandError, match=expected):
        create("--name", "bot", *args)
    assert not ApiToken.objects.exists()


def test_the_madoguchi_command_creates_a_token_and_refuses_an_unknown_scope(
    deployment: Deployment,
) -> None:
    made = deployment.run(
        "create-api-token", "--name", "exchange", "--scopes", "tickets:read", "--groups", "kyc"
    )
    assert made.returncode == 0, made.stderr
    assert TOKEN.fullmatch(made.stdout.strip()), made.stdout
    assert "mdg_" not in made.stderr
    refused = deployment.run("create-api-token", "--name", "x", "--scopes", "tickets:admin")
    assert refused.returncode == 1
    assert "tickets:admin" in refused.stderr
    assert "tickets:read, tickets:write, messages:write, account-context:write" in refused.stderr
    assert refused.stdout == ""
