"""MADOGUCHI_MAILBOXES as an operator writes it: good entries become mailboxes with sensible
defaults; a wrong one stops with a message naming the entry and the problem, never the
password."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from madoguchi.mail.mailboxes import Mailbox, configured_mailboxes, parse_mailboxes

BRANDS = {"tsukimi": {"name": "Tsukimi"}}


def entry(**changes: Any) -> dict[str, Any]:
    return {
        "name": "support",
        "host": "imap.example.jp",
        "username": "support@example.jp",
        "password": "s3cret-imap-password",
        **changes,
    }


def problem(value: Any) -> str:
    with translation.override("en"), pytest.raises(ImproperlyConfigured) as raised:
        parse_mailboxes(value, brands=BRANDS, languages=["ja", "en"])
    message = str(raised.value)
    assert "s3cret-imap-password" not in message
    return message


def test_a_mailbox_gets_tls_port_993_and_the_inbox_unless_told_otherwise() -> None:
    (mailbox,) = parse_mailboxes([entry()], brands=BRANDS, languages=["ja", "en"])
    assert mailbox == Mailbox(
        name="support",
        host="imap.example.jp",
        port=993,
        ssl=True,
        username="support@example.jp",
        password="s3cret-imap-password",
        folder="INBOX",
    )
    (plain,) = parse_mailboxes([entry(ssl=False)], brands=BRANDS, languages=["ja", "en"])
    assert plain.port == 143


def test_the_password_can_come_from_the_environment_and_never_shows_in_a_repr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUPPORT_IMAP_PASSWORD", "from-the-environment")
    value = [entry(password=None, password_env="SUPPORT_IMAP_PASSWORD")]
    value[0].pop("password")
    (mailbox,) = parse_mailboxes(value, brands=BRANDS, languages=["ja", "en"])
    assert mailbox.password == "from-the-environment"
    assert "from-the-environment" not in repr(mailbox)


def test_brand_language_group_and_folder_are_kept() -> None:
    (mailbox,) = parse_mailboxes(
        [entry(brand="tsukimi", language="en", group="payments", folder="Support", port=1993)],
        brands=BRANDS,
        languages=["ja", "en"],
    )
    assert (mailbox.brand, mailbox.language, mailbox.group, mailbox.folder, mailbox.port) == (
        "tsukimi",
        "en",
        "payments",
        "Support",
        1993,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"name": "support"}, "must be a JSON list"),
        (["support"], "entry 1: each mailbox must be a JSON object"),
        ([entry(host="")], "entry 1 (support): host is required"),
        ([entry(username=None)], "username is required"),
        ([entry(), entry(name="")], "entry 2: name is required"),
        ([entry(password=None)], "password or password_env is required"),
        ([entry(password_env="X")], "not both"),
        ([entry(port="993")], "port must be a number"),
        ([entry(port=70000)], "port must be a number"),
        ([entry(ssl="yes")], "ssl must be true or false"),
        ([entry(brand="other")], "brand other is not a key of MADOGUCHI_BRANDS"),
        ([entry(language="fr")], "language must be one of ja, en"),
        ([entry(group="Payments Team")], "group must be a support group's slug"),
        ([entry(folder=3)], "folder must be text"),
        ([entry(pasword="typo")], "unknown keys: pasword"),
        ([entry(), entry(host="other.example.jp")], "entry 2 (support): another mailbox"),
    ],
)
def test_a_wrong_entry_is_refused_with_what_is_wrong(value: Any, expected: str) -> None:
    assert expected in problem(value)


def test_a_password_env_naming_an_unset_variable_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_SUCH_IMAP_PASSWORD", raising=False)
    value = [entry(password_env="NO_SUCH_IMAP_PASSWORD")]
    value[0].pop("password")
    assert "NO_SUCH_IMAP_PASSWORD" in problem(value)


def test_the_settings_mailboxes_are_checked_against_the_settings_brands(settings: Any) -> None:
    settings.MADOGUCHI_BRANDS = BRANDS
    settings.MADOGUCHI_MAILBOXES = [entry(brand="tsukimi", language="ja")]
    assert [mailbox.brand for mailbox in configured_mailboxes()] == ["tsukimi"]
    settings.MADOGUCHI_BRANDS = {}
    with pytest.raises(ImproperlyConfigured):
        configured_mailboxes()


def test_the_message_is_in_japanese_for_a_japanese_operator() -> None:
    with translation.override("ja"), pytest.raises(ImproperlyConfigured) as raised:
        parse_mailboxes([entry(host="")], brands=BRANDS, languages=["ja", "en"])
    assert "host" in str(raised.value)
    assert "MADOGUCHI_MAILBOXES" in str(raised.value)
    assert str(raised.value) != "MADOGUCHI_MAILBOXES entry 1 (support): host is required."
