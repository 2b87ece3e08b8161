"""The shipped article on the anti-phishing code: customers find it by searching in either
language, and it says what to do with a mail that lacks the code."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_capture_on_commit_callbacks: Any) -> None:
    # The search index is written after commit, as when `madoguchi load-demo` runs for real.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=StringIO(), stderr=StringIO())


def result_links(html: str, locale: str) -> list[str]:
    results = html.split('class="search-results', 1)[-1]
    return re.findall(rf'href="(/{locale}/articles/[^"/]+/)"', results)


@pytest.mark.parametrize(
    ("locale", "query"),
    [
        ("ja", "フィッシング対策コード"),
        ("ja", "フィッシング 対策 コード"),
        ("en", "anti-phishing code"),
        ("en", "anti phishing"),
    ],
)
def test_searching_for_the_code_finds_the_article_first(
    demo: None, client: Client, locale: str, query: str
) -> None:
    response = client.get(f"/{locale}/search/", {"q": query})
    assert response.status_code == 200
    links = result_links(response.content.decode(), locale)
    assert links, "the search found nothing"
    assert links[0] == f"/{locale}/articles/anti-phishing-code/"


def test_the_article_says_what_a_mail_without_the_code_means_and_what_to_do(
    demo: None, client: Client
) -> None:
    ja = client.get("/ja/articles/anti-phishing-code/").content.decode()
    for words in ("一番上", "偽のメール", "リンク", "phishing@tsukimi.example", "シードフレーズ"):
        assert words in ja
    en = client.get("/en/articles/anti-phishing-code/").content.decode()
    for words in ("very top", "is fake", "click any link", "seed phrase", "2FA codes"):
        assert words in en
