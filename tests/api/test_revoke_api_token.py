"""`madoguchi revoke-api-token ID`: the token stops working; an unknown ID is an error."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.api.conftest import Issue, bearer
from tests.deployment import Deployment, deployment

__all__ = ["deployment"]  # the fixture, used by name below

pytestmark = pytest.mark.django_db


def revoke(reference: str) -> str:
    out = StringIO()
    call_command("revoke_api_token", reference, stdout=out)
    return out.getvalue()


def test_a_revoked_token_is_refused_by_the_api(issue: Issue, client: Client) -> None:
    issued = issue()
    output = revoke(issued.token.public_id)
    assert issued.token.public_id in output
    response = client.get("/api/v1/token", **bearer(issued))
    assert (response.status_code, response.json()["code"]) == (401, "token_revoked")


def test_a_leaked_token_can_be_revoked_by_pasting_it_whole(issue: Issue, client: Client) -> None:
    issued = issue()
    revoke(issued.plaintext)
    assert client.get("/api/v1/token", **bearer(issued)).status_code == 401


def test_revoking_twice_says_it_already_was(issue: Issue) -> None:
    issued = issue()
    first, second = revoke(issued.token.public_id), revoke(issued.token.public_id)
    assert first != second
    assert re.search(r"already revoked|すでに無効化", second)


@pytest.mark.parametrize("reference", ["zzzzzzzz", "nothing", "", "mdg_zzzzzzzz_" + "a" * 40])
def test_an_unknown_id_is_an_error_that_never_echoes_a_whole_secret(reference: str) -> None:
    with pytest.raises(CommandError) as refused:
        revoke(reference)
    assert "a" * 20 not in str(refused.value)


def test_the_madoguchi_command_revokes_and_the_list_shows_it(deployment: Deployment) -> None:
    made = deployment.run("create-api-token", "--name", "chat bot", "--scopes", "messages:write")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    public_id = token.split("_")[1]
    revoked = deployment.run("revoke-api-token", public_id)
    assert revoked.returncode == 0, revoked.stderr
    listed = deployment.run("list-api-tokens")
    line = next(line for line in listed.stdout.splitlines() if public_id in line)
    assert re.search(r"Revoked|無効化", line)
    assert token.split("_")[2] not in listed.stdout
    unknown = deployment.run("revoke-api-token", "zzzzzzzz")
    assert unknown.returncode == 1 and "zzzzzzzz" in unknown.stderr
