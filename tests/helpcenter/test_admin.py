"""Editors in the admin: every save goes through the services, with revisions and a preview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from madoguchi.helpcenter.models import Article, Category, Guide, Status
from tests.helpcenter.conftest import SMALL_GUIDE

pytestmark = pytest.mark.django_db


def _article_form(category: Category, **changes: Any) -> dict[str, Any]:
    data = {
        "title": "出金の反映が遅い",
        "slug": "slow-withdrawal",
        "locale": "ja",
        "category": category.pk,
        "section": "",
        "status": Status.PUBLISHED,
        "body": "## 確認\r\n\r\n出金履歴を開きます。\r\n",
        "note": "最初の版",
        "translation": "",
        "tags_text": "出金, 遅延",
    }
    data.update(changes)
    return data


def test_an_editor_writes_an_article_in_the_admin_with_a_revision(
    editor_client: Client, editor: Any, account: Category
) -> None:
    form = editor_client.get("/ja/admin/helpcenter/article/add/")
    assert form.status_code == 200
    page = form.content.decode()
    assert 'data-preview-url="/ja/editor/preview/"' in page
    assert "helpcenter/editor.js" in page
    response = editor_client.post("/ja/admin/helpcenter/article/add/", _article_form(account))
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="slow-withdrawal")
    assert article.body == "## 確認\n\n出金履歴を開きます。"
    assert article.tags == ["出金", "遅延"]
    revision = article.revisions.get()
    assert revision.author == editor and revision.note == "最初の版"

    change = f"/ja/admin/helpcenter/article/{article.pk}/change/"
    editor_client.post(change, _article_form(account, title="出金が届かない", note="題名"))
    assert article.revisions.count() == 2
    assert (
        f"/ja/editor/articles/{article.pk}/revisions/" in editor_client.get(change).content.decode()
    )


def test_linking_a_translation_in_the_admin_links_both_ways(
    editor_client: Client, make_article: Callable[..., Article], account: Category
) -> None:
    en = make_article(slug="slow-withdrawal", locale="en", title="Slow withdrawal", body="x")
    editor_client.post(
        "/ja/admin/helpcenter/article/add/", _article_form(account, translation=en.pk)
    )
    ja = Article.objects.get(slug="slow-withdrawal", locale="ja")
    en.refresh_from_db()
    assert ja.translation == en and en.translation == ja


def test_a_translation_in_the_same_language_is_refused_in_the_form(
    editor_client: Client, make_article: Callable[..., Article], account: Category
) -> None:
    other = make_article()
    response = editor_client.post(
        "/ja/admin/helpcenter/article/add/", _article_form(account, translation=other.pk)
    )
    assert response.status_code == 200
    assert not Article.objects.filter(slug="slow-withdrawal").exists()


def test_deleting_in_the_admin_goes_through_the_service(
    editor_client: Client, make_article: Callable[..., Article]
) -> None:
    ja = make_article()
    en = make_article(locale="en", title="Reset", body="x")
    from madoguchi.helpcenter.services import link_translations

    link_translations(article=ja, translation=en)
    response = editor_client.post(f"/ja/admin/helpcenter/article/{ja.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    en.refresh_from_db()
    assert en.translation is None


def test_a_guide_is_edited_as_yaml_and_checked(
    editor_client: Client, make_guide: Callable[..., Guide]
) -> None:
    guide = make_guide(locale="en")
    change = f"/ja/admin/helpcenter/guide/{guide.pk}/change/"
    page = editor_client.get(change).content.decode()
    assert "email-confirmed" in page
    looping = SMALL_GUIDE.format(locale="en", title="Loop").replace(
        "next: resend-email", "next: email-confirmed"
    )
    refused = editor_client.post(change, {"definition": looping})
    assert refused.status_code == 200
    assert "email-confirmed" in refused.content.decode()
    assert Guide.objects.get(pk=guide.pk).title == "I cannot log in"
    renamed = SMALL_GUIDE.format(locale="en", title="Locked out")
    assert editor_client.post(change, {"definition": renamed}).status_code == 302
    assert Guide.objects.get(pk=guide.pk).title == "Locked out"


def test_customers_cannot_open_the_admin(customer_client: Client) -> None:
    response = customer_client.get("/ja/admin/helpcenter/article/")
    assert response.status_code == 302
    assert "/admin/helpcenter/article/" not in response["Location"].split("?")[0]


@pytest.mark.parametrize(
    "page",
    [
        "article",
        "article/add",
        "guide",
        "guide/add",
        "category",
        "category/add",
        "feedback",
        "articleimage",
    ],
)
def test_every_help_center_admin_page_opens_for_editors(
    editor_client: Client, make_article: Callable[..., Article], page: str
) -> None:
    make_article()
    assert editor_client.get(f"/ja/admin/helpcenter/{page}/").status_code == 200


def test_a_category_and_its_sections_are_saved_through_the_services(
    editor_client: Client,
) -> None:
    response = editor_client.post(
        "/ja/admin/helpcenter/category/add/",
        {
            "slug": "fees",
            "name_ja": "手数料",
            "name_en": "Fees",
            "description_ja": "",
            "description_en": "",
            "position": 50,
            "icon": "",
            "sections-TOTAL_FORMS": "1",
            "sections-INITIAL_FORMS": "0",
            "sections-MIN_NUM_FORMS": "0",
            "sections-MAX_NUM_FORMS": "1000",
            "sections-0-slug": "trading-fees",
            "sections-0-name_ja": "取引手数料",
            "sections-0-name_en": "Trading fees",
            "sections-0-position": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    category = Category.objects.get(slug="fees")
    assert list(category.sections.values_list("name_ja", flat=True)) == ["取引手数料"]
