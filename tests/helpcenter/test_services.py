"""Help Center writes: revisions, symmetric translations, search kept in step, guides, votes."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from madoguchi.helpcenter.errors import HelpCenterError, HelpCenterErrorCode
from madoguchi.helpcenter.guide_files import load_guide_yaml
from madoguchi.helpcenter.models import Article, Feedback, Guide, Status
from madoguchi.helpcenter.services import (
    delete_article,
    delete_guide,
    link_translations,
    mark_reviewed,
    publish_article,
    record_feedback,
    save_article,
    save_category,
    save_guide,
    store_image,
    unpublish_article,
)
from madoguchi.search.query import search
from tests.helpcenter.conftest import SMALL_GUIDE

pytestmark = pytest.mark.django_db


def _found(query: str, locale: str, type_: str = "article") -> list[int]:
    return [hit.id for hit in search(query, locale=locale, log=False).results if hit.type == type_]


def test_every_edit_leaves_a_revision_with_its_author(
    make_article: Callable[..., Article], editor: Any
) -> None:
    article = make_article(author=editor)
    save_article(
        article=article,
        author=editor,
        slug=article.slug,
        locale="ja",
        title="パスワードを忘れたとき",
        body=article.body,
        category=article.category,
        status=Status.PUBLISHED,
        note="Clearer title",
    )
    revisions = list(article.revisions.order_by("created_at", "pk"))
    assert [r.title for r in revisions] == ["パスワードを再設定する", "パスワードを忘れたとき"]
    assert revisions[-1].author == editor
    assert revisions[-1].note == "Clearer title"


def test_saving_without_a_change_writes_no_revision(make_article: Callable[..., Article]) -> None:
    article = make_article()
    updated_at = article.updated_at
    again = save_article(
        article=Article.objects.get(pk=article.pk),
        author=None,
        slug=article.slug,
        locale=article.locale,
        title=article.title,
        body=article.body,
        category=article.category,
        tags=article.tags,
        status=article.status,
    )
    assert again.revisions.count() == 1
    assert Article.objects.get(pk=article.pk).updated_at == updated_at


def test_a_slug_is_unique_per_language_only(make_article: Callable[..., Article]) -> None:
    make_article(locale="ja")
    make_article(locale="en", title="Reset your password", body="Press *Forgot password*.")
    with pytest.raises(ValidationError):
        make_article(locale="ja", title="別の記事")


def test_translations_link_both_ways_and_relinking_frees_the_old_partner(
    make_article: Callable[..., Article],
) -> None:
    ja = make_article()
    en = make_article(slug="reset-password", locale="en", title="Reset", body="Steps.")
    en2 = make_article(slug="forgot-password", locale="en", title="Forgot", body="Steps.")
    link_translations(article=ja, translation=en)
    ja.refresh_from_db()
    en.refresh_from_db()
    assert ja.translation == en and en.translation == ja

    link_translations(article=en2, translation=ja)
    ja.refresh_from_db()
    en.refresh_from_db()
    en2.refresh_from_db()
    assert ja.translation == en2 and en2.translation == ja
    assert en.translation is None


def test_a_match_in_the_other_language_also_offers_its_translation(
    make_article: Callable[..., Article], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ja = make_article(slug="api-signature", title="APIの署名エラー", body="時刻を合わせます。")
        en = make_article(
            slug="api-signature",
            locale="en",
            title="API signature errors",
            body="Raise recvWindow up to 60000 ms.",
        )
    with django_capture_on_commit_callbacks(execute=True):
        link_translations(article=ja, translation=en)
    # Only the English text names recvWindow: a Japanese reader is offered both versions.
    hits = search("recvWindow", locale="ja", log=False).results
    assert {(hit.id, hit.locale) for hit in hits} >= {(ja.pk, "ja"), (en.pk, "en")}


def test_a_translation_must_be_in_the_other_language(make_article: Callable[..., Article]) -> None:
    one = make_article()
    two = make_article(slug="other", title="別")
    with pytest.raises(HelpCenterError) as raised:
        link_translations(article=one, translation=two)
    assert raised.value.code == HelpCenterErrorCode.SAME_LANGUAGE_TRANSLATION


def test_deleting_an_article_unlinks_its_translation(make_article: Callable[..., Article]) -> None:
    ja = make_article()
    en = make_article(locale="en", title="Reset", body="Steps.")
    link_translations(article=ja, translation=en)
    delete_article(article=ja)
    en.refresh_from_db()
    assert en.translation is None


def test_a_published_article_is_searchable_after_commit(
    make_article: Callable[..., Article], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(title="出金が届かないとき", body="出金の反映には時間がかかります。")
    assert article.pk in _found("出金", "ja")


def test_an_edit_reaches_search(
    make_article: Callable[..., Article], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article()
        save_article(
            article=article,
            author=None,
            slug=article.slug,
            locale="ja",
            title=article.title,
            body="入金アドレスを確認します。",
            category=article.category,
            status=Status.PUBLISHED,
        )
    assert article.pk in _found("入金", "ja")


def test_drafts_and_unpublished_articles_are_not_searchable(
    make_article: Callable[..., Article], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_article(title="送金の下書き", body="送金の説明", status=Status.DRAFT)
        public = make_article(slug="remit", title="送金の方法", body="送金の説明")
    assert draft.pk not in _found("送金", "ja")
    assert public.pk in _found("送金", "ja")

    with django_capture_on_commit_callbacks(execute=True):
        unpublish_article(article=public, actor=None)
    assert public.pk not in _found("送金", "ja")

    with django_capture_on_commit_callbacks(execute=True):
        publish_article(article=draft, actor=None)
    assert draft.pk in _found("送金", "ja")


def test_a_deleted_article_leaves_search(
    make_article: Callable[..., Article], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(title="口座の凍結", body="口座を凍結する方法")
    pk = article.pk
    assert pk in _found("口座", "ja")
    with django_capture_on_commit_callbacks(execute=True):
        delete_article(article=article)
    assert pk not in _found("口座", "ja")


def test_renaming_a_category_reindexes_its_articles(
    make_article: Callable[..., Article], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        save_category(category=article.category, slug="account", name_ja="口座", name_en="Account")
    assert callbacks, "renaming a category must schedule a reindex of its articles"


def test_reviewing_records_who_and_when(make_article: Callable[..., Article], editor: Any) -> None:
    article = mark_reviewed(article=make_article(), reviewer=editor)
    article.refresh_from_db()
    assert article.reviewed_by == editor
    assert article.last_reviewed_at is not None


def test_a_guide_is_saved_with_its_branches_and_found_by_search(
    make_guide: Callable[..., Guide], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        guide = make_guide()
    assert guide.start_step is not None and guide.start_step.key == "email-confirmed"
    assert guide.steps.count() == 5
    assert guide.pk in _found("confirmation email", "en", "guide")


def test_saving_a_guide_again_replaces_its_steps(make_guide: Callable[..., Guide]) -> None:
    first = make_guide()
    second = make_guide(title="Still cannot log in")
    assert first.pk == second.pk
    assert Guide.objects.get(pk=first.pk).title == "Still cannot log in"
    assert second.steps.count() == 5


def test_guides_in_both_languages_are_linked(make_guide: Callable[..., Guide]) -> None:
    en = make_guide(locale="en")
    ja = make_guide(locale="ja", title="ログインできない")
    en.refresh_from_db()
    assert ja.translation == en and en.translation == ja


def test_a_guide_with_an_unknown_category_is_refused(db: None) -> None:
    definition = load_guide_yaml(SMALL_GUIDE.format(locale="en", title="x"))
    with pytest.raises(HelpCenterError) as raised:
        save_guide(definition=definition)
    assert "account" in " ".join(raised.value.details)


def test_deleting_a_guide_unlinks_its_translation(make_guide: Callable[..., Guide]) -> None:
    en = make_guide(locale="en")
    ja = make_guide(locale="ja", title="ログインできない")
    delete_guide(guide=en)
    ja.refresh_from_db()
    assert ja.translation is None


def test_one_vote_per_session_and_the_latest_counts(make_article: Callable[..., Article]) -> None:
    article = make_article()
    record_feedback(article=article, session_key="s1", helpful=True)
    record_feedback(article=article, session_key="s1", helpful=False, comment="手順が古い")
    record_feedback(article=article, session_key="s2", helpful=True)
    votes = Feedback.objects.filter(article=article)
    assert votes.count() == 2
    assert votes.filter(helpful=False, comment="手順が古い").count() == 1
    assert not votes.filter(voter="s1").exists()  # never the raw session key


def test_comments_are_capped_and_cleaned(make_article: Callable[..., Article]) -> None:
    vote = record_feedback(
        article=make_article(), session_key="s", helpful=False, comment="a\x00b" + "x" * 5000
    )
    assert len(vote.comment) == 1000
    assert "\x00" not in vote.comment


def _image_bytes(format_: str, **save: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, format=format_, **save)
    return buffer.getvalue()


def test_a_screenshot_is_reencoded_without_its_exif(editor: Any) -> None:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (35.0, 39.0, 0.0)}  # GPS
    upload = SimpleUploadedFile("shot.jpg", _image_bytes("JPEG", exif=exif.tobytes()))
    stored = store_image(upload=upload, uploader=editor)
    assert (stored.width, stored.height) == (40, 20)
    with stored.file.open("rb") as saved:
        data = saved.read()
    assert b"SecretCam" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_a_file_that_only_claims_to_be_an_image_is_refused(editor: Any) -> None:
    upload = SimpleUploadedFile("shot.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(HelpCenterError) as raised:
        store_image(upload=upload, uploader=editor)
    assert raised.value.code == HelpCenterErrorCode.IMAGE_INVALID


def test_a_gif_becomes_a_png(editor: Any) -> None:
    stored = store_image(upload=SimpleUploadedFile("a.gif", _image_bytes("GIF")), uploader=editor)
    assert stored.file.name.endswith(".png")
