"""The Help Center as customers and editors meet it, over HTTP with Django's test client."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from madoguchi.helpcenter.models import Article, Category, Feedback, Guide, Status
from madoguchi.helpcenter.services import link_translations, save_article

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def pair(make_article: Callable[..., Article]) -> tuple[Article, Article]:
    ja = make_article()
    en = make_article(
        locale="en", title="Reset your password", body="## Steps\n\nPress **Forgot password**."
    )
    link_translations(article=ja, translation=en)
    ja.refresh_from_db()
    en.refresh_from_db()
    return ja, en


def test_the_home_page_lists_categories_and_common_problem_guides(
    client: Client, make_article: Callable[..., Article], make_guide: Callable[..., Guide]
) -> None:
    make_article()
    make_guide(locale="ja", title="ログインできない")
    page = _text(client.get("/ja/"))
    assert 'id="search-form"' in page and 'name="q"' in page
    assert "アカウント" in page
    assert "ログインできない" in page
    assert 'href="/ja/guides/cannot-log-in/"' in page


def test_the_home_page_runs_a_fixed_number_of_queries(
    client: Client, account: Category, make_article: Callable[..., Article]
) -> None:
    for number in range(12):
        make_article(slug=f"a-{number}", title=f"記事 {number}")
    client.get("/ja/")
    with CaptureQueriesContext(connection) as few:
        client.get("/ja/")
    for number in range(12, 30):
        make_article(slug=f"a-{number}", title=f"記事 {number}")
    with CaptureQueriesContext(connection) as many:
        client.get("/ja/")
    assert len(many) == len(few)


def test_a_category_page_groups_articles_and_lists_guides_in_fixed_queries(
    client: Client, account: Category, make_article: Callable[..., Article], make_guide: Any
) -> None:
    make_guide(locale="ja", title="ログインできない")
    make_article(slug="first", title="最初の記事")
    client.get("/ja/categories/account/")
    with CaptureQueriesContext(connection) as few:
        page = _text(client.get("/ja/categories/account/"))
    assert "最初の記事" in page and "ログインできない" in page
    for number in range(15):
        make_article(slug=f"more-{number}", title=f"記事 {number}")
    with CaptureQueriesContext(connection) as many:
        client.get("/ja/categories/account/")
    assert len(many) == len(few)


def test_an_unknown_category_is_a_404(client: Client, db: None) -> None:
    assert client.get("/ja/categories/nothing-here/").status_code == 404


def test_an_article_shows_its_body_and_when_it_was_last_updated(
    client: Client, make_article: Callable[..., Article]
) -> None:
    article = make_article()
    response = client.get("/ja/articles/reset-password/")
    page = _text(response)
    assert response.status_code == 200
    assert "<h2>手順</h2>" in page
    assert "<strong>パスワードをお忘れですか？</strong>" in page
    assert 'class="last-updated"' in page
    # The page speaks the site's time zone (Asia/Tokyo): after 15:00 UTC that is already
    # tomorrow, so the date to look for is the local one.
    shown = timezone.localtime(article.updated_at).date().isoformat()
    assert shown in page  # in the <time datetime>


def test_an_article_links_to_its_other_language_version(
    client: Client, pair: tuple[Article, Article]
) -> None:
    page = _text(client.get("/ja/articles/reset-password/"))
    link = re.search(r'<a class="other-language-link" href="([^"]+)"', page)
    assert link is not None and link.group(1) == "/en/articles/reset-password/"
    assert "Read this article in English" in page
    # The language switcher goes to the translation, not to the same slug under /en/.
    assert 'name="next" value="/en/articles/reset-password/"' in page
    english = _text(client.get("/en/articles/reset-password/"))
    assert 'href="/ja/articles/reset-password/"' in english
    assert "この記事を日本語で読む" in english


def test_switching_language_on_an_article_lands_on_its_translation(
    client: Client, make_article: Callable[..., Article]
) -> None:
    ja = make_article(slug="ja-reset")
    en = make_article(slug="en-reset", locale="en", title="Reset", body="Steps.")
    link_translations(article=ja, translation=en)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/en/articles/en-reset/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/articles/en-reset/"
    assert 'name="next" value="/en/articles/en-reset/"' in _text(
        client.get("/ja/articles/ja-reset/")
    )


def test_an_article_without_translation_offers_the_other_languages_category(
    client: Client, make_article: Callable[..., Article]
) -> None:
    make_article()
    page = _text(client.get("/ja/articles/reset-password/"))
    assert "other-language-link" not in page
    assert 'name="next" value="/en/categories/account/"' in page


def test_an_article_is_only_found_in_its_own_language(
    client: Client, make_article: Callable[..., Article]
) -> None:
    make_article()
    assert client.get("/en/articles/reset-password/").status_code == 404


def test_drafts_are_the_same_404_as_missing_articles_for_customers(
    client: Client, customer_client: Client, make_article: Callable[..., Article]
) -> None:
    make_article(status=Status.DRAFT)
    missing = client.get("/ja/articles/never-written/")
    for visitor in (client, customer_client):
        draft = visitor.get("/ja/articles/reset-password/")
        assert draft.status_code == missing.status_code == 404
    assert "reset-password" not in _text(customer_client.get("/ja/categories/account/"))


def test_editors_see_drafts_marked_as_such(
    editor_client: Client, make_article: Callable[..., Article]
) -> None:
    make_article(status=Status.DRAFT)
    response = editor_client.get("/ja/articles/reset-password/")
    assert response.status_code == 200
    assert "notice--warning" in _text(response)


def test_a_vote_is_counted_once_per_session_and_thanked(
    client: Client, make_article: Callable[..., Article]
) -> None:
    article = make_article()
    page = _text(client.get("/ja/articles/reset-password/"))
    assert 'id="feedback-yes"' in page and 'id="feedback-no"' in page
    response = client.post("/ja/articles/reset-password/feedback/", {"helpful": "yes"})
    assert response.status_code == 302
    assert response["Location"] == "/ja/articles/reset-password/#feedback"
    client.post(
        "/ja/articles/reset-password/feedback/", {"helpful": "no", "comment": "手順が古いです"}
    )
    assert Feedback.objects.filter(article=article).count() == 1
    vote = Feedback.objects.get(article=article)
    assert vote.helpful is False and vote.comment == "手順が古いです"
    assert 'class="feedback-thanks' in _text(client.get("/ja/articles/reset-password/"))

    other_visitor = Client()
    other_visitor.post("/ja/articles/reset-password/feedback/", {"helpful": "yes"})
    assert Feedback.objects.filter(article=article).count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"helpful": "maybe"},
        {"helpful": "yes", "comment": "x" * 5000},
        {"helpful": ["yes", "no"], "comment": "\x00"},
        "helpful=yes&comment=%ED%A0%80%FF%00",  # invalid UTF-8, a NUL
        "helpful=%FF",
    ],
)
def test_odd_feedback_gets_a_400_with_a_message_not_a_500(
    client: Client, make_article: Callable[..., Article], data: dict[str, Any] | str
) -> None:
    make_article()
    url = "/ja/articles/reset-password/feedback/"
    if isinstance(data, str):
        response = client.post(url, data, content_type="application/x-www-form-urlencoded")
    else:
        response = client.post(url, data)
    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert "notice--error" in _text(response)


def test_feedback_on_a_draft_is_refused_like_a_missing_article(
    client: Client, make_article: Callable[..., Article]
) -> None:
    make_article(status=Status.DRAFT)
    response = client.post("/ja/articles/reset-password/feedback/", {"helpful": "yes"})
    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_related_articles_share_the_category_and_language(
    client: Client, make_article: Callable[..., Article]
) -> None:
    make_article(tags=["password"])
    make_article(slug="lost-2fa", title="2段階認証を失くした", tags=["password", "2fa"])
    make_article(slug="english", locale="en", title="English only", body="x")
    page = _text(client.get("/ja/articles/reset-password/"))
    assert "2段階認証を失くした" in page
    assert "English only" not in page


def test_an_article_offers_the_guides_of_its_category(
    client: Client, make_article: Callable[..., Article], make_guide: Callable[..., Guide]
) -> None:
    make_article()
    make_guide(locale="ja", title="ログインできない")
    make_guide(locale="en")
    page = _text(client.get("/ja/articles/reset-password/"))
    assert (
        '<a class="article-guide-link" href="/ja/guides/cannot-log-in/">ログインできない</a>'
        in page
    )
    assert "I cannot log in" not in page


def _choices(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="[^"]*guide-choice[^"]*" href="([^"]+)">([^<]+)</a>', page)


def test_a_guide_walks_one_step_per_page_to_a_fix_that_solved_it(
    client: Client, make_guide: Callable[..., Guide]
) -> None:
    make_guide(locale="en")
    start = _text(client.get("/en/guides/cannot-log-in/"))
    assert "Did the confirmation email arrive?" in start
    choices = dict((label, href) for href, label in _choices(start))
    assert set(choices) == {"Yes", "No"}

    fix = _text(client.get(choices["No"]))
    assert "Send the email again" in fix
    assert "<em>Resend</em>" in fix
    outcome = {label: href for href, label in _choices(fix)}
    assert len(outcome) == 2
    solved_href = next(href for label, href in outcome.items() if "solved" in label)
    assert "Glad that solved it" in _text(client.get(solved_href))


def test_a_fix_that_did_not_help_leads_to_contact_with_the_problem_type(
    client: Client, make_guide: Callable[..., Guide]
) -> None:
    make_guide(locale="en")
    fix = _text(client.get("/en/guides/cannot-log-in/steps/reset-password/"))
    contact_href = next(href for href, label in _choices(fix) if "contact" in label.lower())
    assert contact_href == "/en/contact/?type=login&amp;guide=cannot-log-in"
    contact = client.get(contact_href.replace("&amp;", "&"))
    page = _text(contact)
    assert 'data-problem-type="login"' in page
    assert "Cannot log in" in page
    assert "You followed the guide" in page
    assert (
        'class="button button--primary contact-form-link" '
        'href="/en/support/new/?type=login&amp;guide=cannot-log-in"'
    ) in page


def test_a_contact_step_ends_the_path_at_support(
    client: Client, make_guide: Callable[..., Guide]
) -> None:
    make_guide(locale="en")
    page = _text(client.get("/en/guides/cannot-log-in/steps/talk-to-us/"))
    assert 'class="button button--primary guide-contact" href="/en/contact/?type=login' in page


def test_a_guide_links_to_its_translation_and_an_unknown_step_is_a_404(
    client: Client, make_guide: Callable[..., Guide]
) -> None:
    make_guide(locale="en")
    make_guide(locale="ja", title="ログインできない")
    page = _text(client.get("/en/guides/cannot-log-in/"))
    assert 'name="next" value="/ja/guides/cannot-log-in/"' in page
    assert client.get("/en/guides/cannot-log-in/steps/no-such-step/").status_code == 404
    assert client.get("/en/guides/no-such-guide/").status_code == 404


def test_the_contact_page_in_japanese_leads_to_the_support_form_of_the_type(
    client: Client, db: None
) -> None:
    page = _text(client.get("/ja/contact/?type=withdrawal"))
    assert 'data-problem-type="withdrawal"' in page
    assert (
        'class="button button--primary contact-form-link" href="/ja/support/new/?type=withdrawal"'
        in page
    )
    form = client.get("/ja/support/new/?type=withdrawal", follow=True)
    assert form.redirect_chain == [("/ja/support/new/withdrawal/", 302)]
    assert "出金が届かない・遅れている" in _text(form)


def test_the_contact_page_offers_a_guide_of_the_type_before_the_form(
    client: Client, make_guide: Callable[..., Guide]
) -> None:
    make_guide(locale="ja", title="ログインできない")
    page = _text(client.get("/ja/contact/?type=login"))
    assert 'href="/ja/guides/cannot-log-in/"' in page
    assert 'href="/ja/support/new/?type=login"' in page
    assert 'href="/ja/support/new/"' in _text(client.get("/ja/contact/"))


@pytest.mark.parametrize("odd", ["<script>", "%00", "x" * 3000, "WITHDRAWAL"])
def test_an_unknown_problem_type_preselects_nothing(client: Client, db: None, odd: str) -> None:
    response = client.get("/en/contact/", {"type": odd})
    assert response.status_code == 200
    assert "data-problem-type" not in _text(response)
    assert "<script>" not in _text(response)


def test_search_finds_articles_with_highlights_and_category_facets(
    client: Client,
    make_article: Callable[..., Article],
    deposits: Category,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        make_article(
            slug="withdrawal-delay",
            title="出金が届かないとき",
            body="出金の反映には時間がかかることがあります。",
            category=deposits,
        )
        make_article(slug="login", title="ログインできない", body="パスワードを確認します。")
    response = client.get("/ja/search/", {"q": "出金"})
    page = _text(response)
    assert response.status_code == 200
    assert re.search(
        r'<li class="search-result[^"]*"[^>]*>\s*<h2[^>]*><a href="/ja/articles/withdrawal-delay/"',
        page,
    )
    assert "<mark>" in page
    assert "入出金 (1)" in page
    assert "ログインできない" not in page


def test_a_result_only_in_the_other_language_is_marked(
    client: Client, make_article: Callable[..., Article], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        make_article(
            slug="api-keys", locale="en", title="Create an API key", body="Create an API key."
        )
    page = _text(client.get("/ja/search/", {"q": "API key"}))
    assert 'href="/en/articles/api-keys/"' in page
    assert "other-language-badge" in page


def test_a_search_that_finds_nothing_offers_guides_and_contact(
    client: Client, make_guide: Callable[..., Guide]
) -> None:
    make_guide(locale="ja", title="ログインできない")
    page = _text(client.get("/ja/search/", {"q": "まったく関係のない言葉ですzzqx"}))
    assert "search-empty" in page
    assert 'href="/ja/guides/cannot-log-in/"' in page
    assert 'class="contact-link" href="/ja/contact/"' in page


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "NEAR",
        "^",
        "-",
        "AND",
        "OR",
        "(",
        "x" * 10_000,
        "%00%1F",
        "%ED%A0%80",
        "%FF%FE",
        "出金 OR (",
    ],
)
def test_hostile_search_input_never_breaks_the_page(client: Client, db: None, query: str) -> None:
    encoded = query if query.startswith("%") else quote(query)
    response = client.get(f"/ja/search/?q={encoded}&page=abc&category=%3Cx%3E")
    assert response.status_code in {200, 400}
    if response.status_code == 400:
        assert "search-error" in _text(response)


def test_the_search_page_uses_a_fixed_number_of_queries(
    client: Client, make_article: Callable[..., Article], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            make_article(slug=f"deposit-{number}", title=f"入金 {number}", body="入金の説明")
    with CaptureQueriesContext(connection) as few:
        client.get("/ja/search/", {"q": "入金"})
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3, 10):
            make_article(slug=f"deposit-{number}", title=f"入金 {number}", body="入金の説明")
    with CaptureQueriesContext(connection) as many:
        client.get("/ja/search/", {"q": "入金"})
    assert len(many) == len(few)


def test_the_editor_dashboard_is_a_404_for_customers_and_visitors(
    client: Client, customer_client: Client
) -> None:
    for visitor in (client, customer_client):
        assert visitor.get("/ja/editor/").status_code == 404
        assert visitor.post("/ja/editor/preview/", {"body": "x"}).status_code == 404
        assert visitor.get("/ja/editor/articles/1/revisions/").status_code == 404


def test_the_dashboard_lists_stale_articles_zero_result_searches_and_votes(
    editor_client: Client, client: Client, make_article: Callable[..., Article]
) -> None:
    old = make_article(slug="old", title="古い記事")
    fresh = make_article(slug="fresh", title="新しい記事")
    Article.objects.filter(pk=old.pk).update(updated_at="2020-01-01T00:00:00Z")
    client.get("/ja/search/", {"q": "存在しない話題qqq"})
    client.post("/ja/articles/fresh/feedback/", {"helpful": "no", "comment": "足りない"})
    page = _text(editor_client.get("/ja/editor/"))
    assert "古い記事" in page and "新しい記事" not in page.split('id="zero-result-searches"')[0]
    assert "存在しない話題qqq" in page
    row = re.search(rf'data-article="{fresh.pk}">.*?</tr>', page, re.S)
    assert row is not None
    assert '<td class="numeric feedback-unhelpful">1</td>' in row.group(0)
    assert '<td class="numeric feedback-comments">1</td>' in row.group(0)


def test_the_stale_period_can_be_chosen_and_odd_values_are_tolerated(
    editor_client: Client, make_article: Callable[..., Article]
) -> None:
    make_article(slug="today", title="今日の記事")
    assert "今日の記事" in _text(editor_client.get("/ja/editor/?days=0"))
    for odd in ("abc", "-5", "99999999999999999999"):
        assert editor_client.get("/ja/editor/", {"days": odd}).status_code == 200


def test_marking_as_reviewed_removes_an_article_from_the_stale_list(
    editor_client: Client, make_article: Callable[..., Article]
) -> None:
    old = make_article(slug="old", title="古い記事")
    Article.objects.filter(pk=old.pk).update(updated_at="2020-01-01T00:00:00Z")
    response = editor_client.post(f"/ja/editor/articles/{old.pk}/review/")
    assert response.status_code == 302
    assert "古い記事" not in _text(editor_client.get("/ja/editor/"))


def test_the_preview_returns_sanitized_html(editor_client: Client) -> None:
    response = editor_client.post(
        "/ja/editor/preview/",
        {"body": "**太字** <script>alert(1)</script> [x](javascript:alert(1))"},
    )
    assert response.status_code == 200
    html = _text(response)
    assert "<strong>太字</strong>" in html
    assert "<script" not in html
    assert 'href="javascript' not in html


def test_the_preview_requires_a_csrf_token(editor: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post("/ja/editor/preview/", {"body": "x"}).status_code == 403


def test_an_editor_uploads_a_screenshot_and_gets_its_markdown(editor_client: Client) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "login screen.png"
    response = editor_client.post("/ja/editor/images/", {"image": buffer})
    assert response.status_code == 201
    snippet = response.json()["markdown"]
    assert re.fullmatch(
        r"!\[login screen\]\(/media/helpcenter/images/\d{4}/\d{2}/\w+\.png\)", snippet
    )


def test_an_upload_that_is_not_an_image_gets_a_clear_400(editor_client: Client) -> None:
    import io

    fake = io.BytesIO(b"GIF89a<script>")
    fake.name = "fake.gif"
    response = editor_client.post("/ja/editor/images/", {"image": fake})
    assert response.status_code == 400
    assert response.json()["error"]


def test_revision_history_shows_an_escaped_diff(
    editor_client: Client, editor: Any, make_article: Callable[..., Article]
) -> None:
    article = make_article(author=editor)
    save_article(
        article=article,
        author=editor,
        slug=article.slug,
        locale="ja",
        title=article.title,
        body=article.body + "\n3. <b>新しい</b>パスワードを入力します。",
        category=article.category,
        status=Status.PUBLISHED,
        note="手順を追加",
    )
    page = _text(editor_client.get(f"/ja/editor/articles/{article.pk}/revisions/"))
    assert "手順を追加" in page
    assert (
        '<li class="diff-added">3. &lt;b&gt;新しい&lt;/b&gt;パスワードを入力します。</li>' in page
    )
    first = article.revisions.order_by("created_at", "pk").first()
    assert first is not None
    against = _text(
        editor_client.get(
            f"/ja/editor/articles/{article.pk}/revisions/",
            {"show": first.pk, "against": "current"},
        )
    )
    assert "diff-added" in against
    assert (
        editor_client.get(f"/ja/editor/articles/{article.pk}/revisions/", {"show": "x"}).status_code
        == 200
    )
