"""The official-channel registry answers "is this really us?"; an admin's edit counts at once."""

from __future__ import annotations

from typing import Any

import idna
import pytest
from allauth.mfa.models import Authenticator
from django.test import Client, override_settings

from madoguchi.accounts.services import create_user
from madoguchi.safety.links import LinkKind, check_links
from madoguchi.safety.models import OfficialChannel
from madoguchi.safety.selectors import official_channel_for, official_domains

pytestmark = pytest.mark.django_db

ADMIN = "/ja/admin/safety/officialchannel/"


def staff_client(role: str) -> Client:
    user = create_user(email=f"{role}@tsukimi.example", password="a-long-password-1", role=role)
    if role != "customer":
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    client = Client()
    client.force_login(user)
    return client


def test_the_demo_exchange_is_seeded() -> None:
    assert {"tsukimi.example", "www.tsukimi.example"} <= official_domains()
    sender = official_channel_for("mail_sender", "Support@Tsukimi.Example")
    assert sender is not None and sender.value == "support@tsukimi.example"
    for platform in ("x", "telegram"):
        handle = official_channel_for("social_handle", "@Tsukimi_Exchange", platform=platform)
        assert handle is not None and handle.platform == platform


def test_a_subdomain_of_an_official_domain_is_official() -> None:
    found = official_channel_for("domain", "HELP.tsukimi.example")
    assert found is not None and found.value == "tsukimi.example"


def test_strangers_and_look_alikes_are_not_official() -> None:
    assert official_channel_for("domain", "tsukimi-support.example") is None
    assert official_channel_for("domain", "tsukimi.example.evil.com") is None
    assert official_channel_for("mail_sender", "support@tsukimi-support.example") is None
    assert official_channel_for("social_handle", "tsukimi_exchange", platform="discord") is None
    assert official_channel_for("social_handle", "tsukimi_exchange_jp") is None
    assert official_channel_for("domain", "not a domain") is None


def test_a_handle_without_a_platform_matches_on_any_platform() -> None:
    assert official_channel_for("social_handle", "@tsukimi_exchange") is not None


@override_settings(MADOGUCHI_OFFICIAL_DOMAINS=["Tsukimi-Pay.Example", "月見.example"])
def test_domains_from_settings_are_official_too() -> None:
    domains = official_domains()
    assert "tsukimi-pay.example" in domains
    assert idna.encode("月見.example").decode() in domains
    assert check_links("https://pay.tsukimi-pay.example/").official


def test_an_admin_adding_a_domain_makes_its_links_official_at_once() -> None:
    assert check_links("https://tsukimi.jp/").lookalikes
    response = staff_client("admin").post(
        ADMIN + "add/",
        {"kind": "domain", "value": "HTTPS://Tsukimi.JP/", "platform": "", "active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:800]
    assert OfficialChannel.objects.get(value="tsukimi.jp").kind == "domain"
    assert [f.kind for f in check_links("https://tsukimi.jp/ja/").findings] == [LinkKind.OFFICIAL]


def test_an_admin_switching_a_domain_off_takes_it_out_at_once() -> None:
    assert check_links("https://tsukimi.example/").official
    channel = OfficialChannel.objects.get(kind="domain", value="tsukimi.example")
    response = staff_client("admin").post(
        f"{ADMIN}{channel.pk}/change/",
        {"kind": "domain", "value": "tsukimi.example", "platform": "", "note": "retired"},
    )
    assert response.status_code == 302, response.content.decode()[:800]
    assert "tsukimi.example" not in official_domains()
    assert official_channel_for("domain", "help.tsukimi.example") is None


def test_a_handle_without_its_platform_is_refused_with_a_message() -> None:
    response = staff_client("admin").post(
        ADMIN + "add/", {"kind": "social_handle", "value": "@tsukimi_jp", "active": "on"}
    )
    assert response.status_code == 200
    assert "プラットフォーム" in response.content.decode()
    assert not OfficialChannel.objects.filter(value="tsukimi_jp").exists()


def test_a_value_that_is_not_a_domain_is_refused() -> None:
    response = staff_client("admin").post(
        ADMIN + "add/", {"kind": "domain", "value": "two words", "active": "on"}
    )
    assert response.status_code == 200
    assert not OfficialChannel.objects.filter(value__contains="words").exists()


def test_customers_cannot_open_the_registry() -> None:
    response = staff_client("customer").get(ADMIN)
    assert response.status_code in {302, 404}
    assert "officialchannel" not in response.content.decode()


def test_checking_links_reads_the_registry_with_one_small_query(
    django_assert_num_queries: Any,
) -> None:
    check_links("https://tsukimi.example/")
    with django_assert_num_queries(1):
        check_links("https://tsukimi-support.example/ と https://tsukimi.example/")
    with django_assert_num_queries(0):
        check_links("リンクのない問い合わせ")
