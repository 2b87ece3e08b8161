"""Japanese and English: the language comes from the URL prefix, or Accept-Language on `/`,
and every page offers the same page in the other language."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def switcher_targets(body: str) -> dict[str, str]:
    """{language code: the page its switcher button leads to}."""
    forms = re.findall(
        r'<form class="language-switcher__form"[^>]*>.*?name="next" value="([^"]*)".*?'
        r'name="language" value="(\w+)"',
        body,
        flags=re.DOTALL,
    )
    return {code: url.replace("&amp;", "&") for url, code in forms}


@pytest.mark.parametrize(
    ("accept", "prefix"),
    [("en-US,en;q=0.9", "/en/"), ("ja,en;q=0.5", "/ja/"), ("fr-FR", "/ja/"), ("", "/ja/")],
)
def test_the_bare_root_follows_accept_language(client: Client, accept: str, prefix: str) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == prefix


def test_the_url_prefix_wins_over_accept_language(client: Client) -> None:
    body = client.get("/ja/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ja">' in body
    assert "ログイン" in body
    body = client.get("/en/accounts/login/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<html lang="en">' in body
    assert "Sign In" in body


@pytest.mark.parametrize(
    ("path", "other"),
    [
        ("/ja/", "/en/"),
        ("/ja/accounts/login/", "/en/accounts/login/"),
        ("/ja/accounts/signup/", "/en/accounts/signup/"),
        ("/en/accounts/password/reset/", "/ja/accounts/password/reset/"),
        ("/ja/accounts/login/?next=/ja/admin/", "/en/accounts/login/?next=/ja/admin/"),
        ("/en/no-such-page/", "/ja/no-such-page/"),
    ],
)
def test_every_page_offers_the_same_page_in_the_other_language(
    client: Client, path: str, other: str
) -> None:
    response = client.get(path)
    assert response.status_code in (200, 404)
    targets = switcher_targets(response.content.decode())
    other_code = other.split("/")[1]
    assert targets == {other_code: other}
    assert f'hreflang="{other_code}" href="{other}"' in response.content.decode().replace(
        "&amp;", "&"
    )


def test_the_switcher_takes_the_visitor_there_and_remembers_the_choice(client: Client) -> None:
    page = client.get("/ja/accounts/signup/").content.decode()
    target = switcher_targets(page)["en"]
    response = client.post("/i18n/setlang/", {"language": "en", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/signup/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ja")["Location"] == "/en/"


def test_the_switcher_names_each_language_in_that_language(client: Client) -> None:
    body = client.get("/en/").content.decode()
    assert 'lang="ja">日本語</button>' in body
    assert 'aria-current="true">English</span>' in body


def test_a_view_can_point_the_switcher_at_a_translation_with_another_address() -> None:
    request = RequestFactory().get("/ja/articles/shukkin/")
    with translation.override("ja"):
        html = render_to_string(
            "includes/language_switcher.html",
            {"alternate_url": "/en/articles/withdrawals/"},
            request=request,
        )
    assert switcher_targets(html) == {"en": "/en/articles/withdrawals/"}


def test_a_page_without_a_translation_sends_the_other_language_home() -> None:
    request = RequestFactory().get("/ja/articles/only-japanese/")
    with translation.override("ja"):
        html = render_to_string(
            "includes/language_switcher.html", {"alternate_url": None}, request=request
        )
    assert switcher_targets(html) == {"en": "/en/"}


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/ja/accounts/login/", "アカウントをまだお持ちでなければ"),
        ("/ja/accounts/signup/", "ユーザー登録"),
        ("/ja/accounts/password/reset/", "パスワード"),
        ("/en/accounts/password/reset/", "Password Reset"),
    ],
)
def test_allauth_pages_are_translated_and_framed_by_the_site(
    client: Client, path: str, text: str
) -> None:
    body = client.get(path).content.decode()
    assert text in body
    assert 'class="site-header"' in body
    assert 'class="language-switcher"' in body


@pytest.mark.parametrize(
    ("language", "title"), [("ja", "ページが見つかりません"), ("en", "Page not found")]
)
def test_the_not_found_page_speaks_the_visitors_language(
    client: Client, language: str, title: str
) -> None:
    response = client.get(f"/{language}/missing-page/")
    assert response.status_code == 404
    assert title in response.content.decode()


@pytest.mark.parametrize(
    ("language", "title"), [("ja", "エラーが発生しました"), ("en", "Something went wrong")]
)
def test_the_server_error_page_renders_without_a_request_context(language: str, title: str) -> None:
    with translation.override(language):
        response = server_error(RequestFactory().get(f"/{language}/"))
    assert response.status_code == 500
    assert title in response.content.decode()
