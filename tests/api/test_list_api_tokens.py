"""`madoguchi list-api-tokens`: every token with its state and use; never a secret or hash."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from madoguchi.api.models import ApiToken
from madoguchi.api.tokens import revoke_api_token
from tests.api.conftest import Issue

pytestmark = pytest.mark.django_db


def listing(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("list_api_tokens", *args, stdout=out)
    return out.getvalue()


def test_the_list_shows_each_token_and_its_state_but_no_secret(issue: Issue) -> None:
    active = issue("tickets:read", "messages:write", name="back office", groups="security")
    revoked = issue(name="old bot")
    expired = issue(name="trial", expires_in_days=1)
    revoke_api_token(token=revoked.token)
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    lines = listing().splitlines()
    assert lines[0].split()[:3] == ["ID", "Name", "State"]
    by_id = {line.split()[0]: line for line in lines[1:]}
    assert "Active" in by_id[active.token.public_id]
    assert "tickets:read,messages:write" in by_id[active.token.public_id]
    assert "security" in by_id[active.token.public_id]
    assert "Revoked" in by_id[revoked.token.public_id]
    assert "Expired" in by_id[expired.token.public_id]
    text = "\n".join(lines)
    for issued in (active, revoked, expired):
        assert issued.plaintext[-40:] not in text
        assert issued.token.secret_hash not in text


def test_active_leaves_out_revoked_and_expired_tokens(issue: Issue) -> None:
    kept, dropped = issue(name="kept"), issue(name="dropped")
    revoke_api_token(token=dropped.token)
    text = listing("--active")
    assert kept.token.public_id in text and dropped.token.public_id not in text


def test_japanese_names_keep_the_columns_aligned(issue: Issue) -> None:
    issue(name="月見取引所 バックオフィス")
    issue(name="bot")
    lines = listing().splitlines()
    import unicodedata

    def column_of(line: str, word: str) -> int:
        before = line[: line.index(word)]
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in before)

    assert column_of(lines[1], "Active") == column_of(lines[2], "Active")


def test_no_tokens_is_said_plainly() -> None:
    assert listing().strip() == "No API tokens."
