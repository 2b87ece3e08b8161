"""A customer's whole self-service visit, in a real browser (Debian's chromium via Playwright)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from madoguchi.helpcenter.models import Article, Feedback

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_searches_reads_follows_a_guide_switches_to_english_and_rates(
    live_server: Any, new_page: Callable[..., Any]
) -> None:
    call_command("load_demo", verbosity=0)
    base = live_server.url
    page = new_page()

    # The Japanese UI: search for the two-character word 出金 (withdrawal).
    page.goto(f"{base}/ja/")
    page.fill("#search-form input[name=q]", "出金")
    page.press("#search-form input[name=q]", "Enter")
    page.wait_for_selector(".search-result a")
    first = page.locator(".search-result a").first
    first_title = first.inner_text()
    assert "出金" in first_title or "引き出し" in first_title

    # Open the article.
    first.click()
    page.wait_for_selector("article h1")
    assert page.inner_text("article h1") == first_title
    assert "/ja/articles/" in page.url
    article_url = page.url

    # Follow a troubleshooting guide to its end, always taking the first answer.
    page.goto(f"{base}/ja/guides/withdrawal-delayed/")
    for _ in range(20):
        choices = page.locator(".hc-guide .choice-list a.guide-choice:not(.guide-solved-yes)")
        if page.locator(".guide-outcome").count() or choices.count() == 0:
            break
        choices.first.click()
        page.wait_for_load_state()
    assert page.locator(".guide-outcome").count() == 1
    if page.locator(".guide-contact").count():
        assert "type=withdrawal" in (page.get_attribute(".guide-contact", "href") or "")
    else:
        assert "type=withdrawal" in (page.get_attribute(".guide-solved-no", "href") or "")

    # Back to the article, then switch the UI to English: the translation opens.
    page.goto(article_url)
    page.click(".language-switcher button[value=en]")
    page.wait_for_url("**/en/articles/**")
    english = Article.objects.get(locale="en", slug=page.url.rstrip("/").rsplit("/", 1)[-1])
    assert page.inner_text("article h1") == english.title
    assert page.get_attribute("html", "lang") == "en"

    # Rate it: the thanks appear and the vote is counted for the English article.
    page.click("#feedback-yes")
    page.wait_for_selector(".feedback-thanks")
    assert "Thank you" in page.inner_text(".feedback-thanks")
    assert Feedback.objects.filter(article=english, helpful=True).count() == 1
