"""`madoguchi import-articles` and `export-articles`: errors and where, idempotence, round trips."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from madoguchi.helpcenter.article_files import read_articles
from madoguchi.helpcenter.models import Article, ArticleRevision, Category, Section, Status
from madoguchi.helpcenter.services import import_articles
from madoguchi.search.query import search

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "helpcenter" / "articles.jsonl"


def _line(**fields: Any) -> str:
    article = {
        "slug": "withdrawal-delay",
        "locale": "ja",
        "title": "出金が遅れている",
        "category": "deposits-withdrawals",
        "body": "## 確認すること\n\n1. 出金履歴を開きます。",
        "tags": ["出金"],
    }
    article.update(fields)
    return json.dumps({k: v for k, v in article.items() if v is not None}, ensure_ascii=False)


def _run(path: Path, language: str = "en") -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        with translation.override(language):
            call_command("import_articles", str(path), "--no-progress", stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def test_a_jsonl_file_is_imported_with_missing_categories_created(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_text(
        _line()
        + "\n"
        + _line(
            slug="withdrawal-delay",
            locale="en",
            title="Withdrawal delayed",
            body="Open the history.",
            translation_of="withdrawal-delay",
        )
        + "\n",
        encoding="utf-8",
    )
    code, out, _err = _run(path)
    assert code == 0
    assert "2" in out
    category = Category.objects.get(slug="deposits-withdrawals")
    assert (category.name_ja, category.name_en) == ("入出金", "Deposits & Withdrawals")
    ja = Article.objects.get(slug="withdrawal-delay", locale="ja")
    en = Article.objects.get(slug="withdrawal-delay", locale="en")
    assert ja.translation == en and en.translation == ja
    assert ja.status == Status.PUBLISHED and ja.tags == ["出金"]
    assert ja.revisions.count() == 1


def test_each_bad_line_is_reported_with_its_number_and_reason_and_the_rest_imported(
    tmp_path: Path,
) -> None:
    lines = [
        _line(slug="good-one"),  # 1
        '{"slug": "broken", ',  # 2 bad JSON
        _line(slug="no-title", title=None),  # 3 missing field
        _line(slug="klingon", locale="tlh"),  # 4 unknown locale
        _line(slug="Bad Slug!"),  # 5 bad slug
        _line(slug="empty", body="   \n  "),  # 6 empty body
        "",  # 7 blank: skipped
        "[1, 2, 3]",  # 8 not an object
        _line(slug="tags", tags="not-a-list"),  # 9 tags
        _line(slug="good-one"),  # 10 duplicate of line 1
        _line(slug="lonely", translation_of="nowhere"),  # 11 translation missing
        _line(slug="good-two"),  # 12
    ]
    path = tmp_path / "mixed.jsonl"
    data = "\n".join(lines).encode("utf-8") + b"\n" + b'{"slug": "\xff\xfe"}\n'  # 13 bad UTF-8
    path.write_bytes(data)
    code, _out, err = _run(path)
    assert code == 1
    expected = {
        2: "bad JSON",
        3: "missing field “title”",
        4: "unknown locale “tlh”",
        5: "bad slug “Bad Slug!”",
        6: "empty body",
        8: "not an object",
        9: "tags must be a list",
        10: "already came in mixed.jsonl:1",
        11: "translation_of: no en article “nowhere”",
        13: "invalid UTF-8",
    }
    for number, reason in expected.items():
        assert f"mixed.jsonl:{number}: " in err, number
        line = next(x for x in err.splitlines() if x.startswith(f"mixed.jsonl:{number}: "))
        assert reason in line, (number, line)
    assert "mixed.jsonl:1:" not in err and "mixed.jsonl:12:" not in err
    assert set(Article.objects.values_list("slug", flat=True)) == {"good-one", "good-two", "lonely"}


def test_bad_markdown_files_are_reported_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    (folder / "ja").mkdir(parents=True)
    (folder / "ja" / "good.md").write_text(
        "---\ntitle: 良い記事\nlocale: ja\ncategory: account\nslug: good\n---\n本文です。\n",
        encoding="utf-8",
    )
    (folder / "ja" / "no-front-matter.md").write_text("ただの本文\n", encoding="utf-8")
    (folder / "ja" / "bad-yaml.md").write_text(
        "---\ntitle: [unclosed\nlocale: ja\n---\n本文\n", encoding="utf-8"
    )
    (folder / "ja" / "latin1.md").write_bytes(
        "---\ntitle: caf\xe9\nlocale: ja\ncategory: account\nslug: latin\n---\nx\n".encode(
            "latin-1"
        )
    )
    (folder / "ja" / "no-body.md").write_text(
        "---\ntitle: 空\nlocale: ja\ncategory: account\nslug: no-body\n---\n\n", encoding="utf-8"
    )
    code, _out, err = _run(folder)
    assert code == 1
    assert "ja/no-front-matter.md:1: no YAML front matter" in err
    assert "ja/bad-yaml.md" in err and "bad YAML front matter" in err
    assert "ja/latin1.md: invalid UTF-8" in err
    assert "ja/no-body.md: empty body" in err
    assert list(Article.objects.values_list("slug", flat=True)) == ["good"]


def test_a_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    code, _out, err = _run(tmp_path / "nothing.jsonl")
    assert code != 0
    assert "no such file or folder" in err


def test_problems_are_explained_in_japanese_too(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(_line(locale="fr") + "\n", encoding="utf-8")
    code, _out, err = _run(path, language="ja")
    assert code == 1
    assert "a.jsonl:1: 不明な言語「fr」です" in err


def test_importing_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(_line() + "\n", encoding="utf-8")
    _run(path)
    before = Article.objects.get().updated_at
    code, out, _err = _run(path)
    assert code == 0
    assert "1 unchanged" in out
    assert Article.objects.get().updated_at == before
    assert ArticleRevision.objects.count() == 1


def test_a_changed_article_is_updated_with_a_new_revision(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(_line() + "\n", encoding="utf-8")
    _run(path)
    path.write_text(_line(title="出金が届かない") + "\n", encoding="utf-8")
    code, out, _err = _run(path)
    assert code == 0 and "1 updated" in out
    assert Article.objects.get().title == "出金が届かない"
    assert ArticleRevision.objects.count() == 2


def test_a_translation_later_in_the_file_is_linked(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        _line(slug="ja-fees", translation_of="en-fees")
        + "\n"
        + _line(slug="en-fees", locale="en", title="Fees", body="Fees.", translation_of="ja-fees")
        + "\n",
        encoding="utf-8",
    )
    assert _run(path)[0] == 0
    ja = Article.objects.get(slug="ja-fees")
    assert ja.translation is not None and ja.translation.slug == "en-fees"


def test_imported_articles_are_searchable_in_one_batch(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(_line() + "\n" + _line(slug="draft", status="draft") + "\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _run(path)
    assert len(callbacks) == 1
    found = {hit.slug: hit.url for hit in search("出金", locale="ja", log=False).results}
    assert found == {"withdrawal-delay": "/ja/articles/withdrawal-delay/"}


def test_the_shared_collection_imports_whole(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = import_articles(read_articles(SHARED))
    assert report.ok, [str(p) for p in report.problems]
    assert report.created == 110 and report.linked == 55
    assert Article.objects.filter(translation__isnull=False).count() == 110


def _snapshot() -> list[tuple[Any, ...]]:
    return list(
        Article.objects.order_by("locale", "slug").values_list(
            "slug",
            "locale",
            "title",
            "body",
            "category__slug",
            "section__slug",
            "tags",
            "status",
            "translation__slug",
            "updated_at",
        )
    )


@pytest.mark.parametrize("target", ["export.jsonl", "export-folder"])
def test_export_then_import_changes_nothing(tmp_path: Path, target: str) -> None:
    import_articles(read_articles(SHARED))
    extra = tmp_path / "extra.jsonl"
    extra.write_text(
        _line(slug="draft-one", status="draft", section="limits", body="  前後の空白\r\n\r\n")
        + "\n",
        encoding="utf-8",
    )
    import_articles(read_articles(extra))
    before = _snapshot()
    revisions = ArticleRevision.objects.count()
    path = tmp_path / target
    call_command("export_articles", str(path), stdout=StringIO())
    code, out, err = _run(path)
    assert code == 0, err
    assert "111 unchanged" in out
    assert _snapshot() == before
    assert ArticleRevision.objects.count() == revisions
    assert Section.objects.filter(slug="limits").exists()


def test_an_exported_folder_uses_the_demo_layout(tmp_path: Path) -> None:
    import_articles(read_articles(SHARED))
    call_command("export_articles", str(tmp_path / "out"), stdout=StringIO())
    exported = tmp_path / "out" / "ja" / "ja-login-failed.md"
    text = exported.read_text(encoding="utf-8")
    assert text.startswith("---\nslug: ja-login-failed\nlocale: ja\n")
    assert "translation_of: en-login-failed" in text


def test_an_exported_folder_imports_into_an_empty_site(tmp_path: Path) -> None:
    import_articles(read_articles(SHARED))
    call_command("export_articles", str(tmp_path / "out"), stdout=StringIO())
    before = [row[:-1] for row in _snapshot()]
    Article.objects.update(translation=None)
    Article.objects.all().delete()
    shutil.copytree(tmp_path / "out", tmp_path / "copy")
    assert _run(tmp_path / "copy")[0] == 0
    assert [row[:-1] for row in _snapshot()] == before
