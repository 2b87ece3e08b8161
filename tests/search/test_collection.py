"""The shared help-center collection: the same top answers on SQLite and on PostgreSQL.

Both database runs of the suite assert the same first results here, which is how the two
backends are held to rank alike. The collection is read from MADOGUCHI_SHARED_DIR
(default: the repository's ../shared), never copied into the repository.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from madoguchi.search.documents import Document
from madoguchi.search.query import search
from madoguchi.search.services import index_documents
from tests.conftest import require_service

REPO = Path(__file__).resolve().parents[2]
ARTICLES = (
    Path(os.environ.get("MADOGUCHI_SHARED_DIR", REPO.parent / "shared"))
    / "data"
    / "helpcenter"
    / "articles.jsonl"
)

pytestmark = pytest.mark.django_db

TOP_ANSWERS = [
    ("ja", "出金 手数料", "ja-withdrawal-fees"),
    ("ja", "凍結", "ja-account-frozen"),
    ("ja", "税金", "ja-tax-report-export"),
    ("ja", "引出し限度額", "ja-withdrawal-limits"),
    ("ja", "２ＦＡ 紛失", "ja-2fa-lost"),
    ("ja", "ﾌｧﾝﾃﾞｨﾝｸﾞﾚｰﾄ", "ja-futures-funding-fees"),
    ("ja", "二段会認証", "ja-2fa-setup"),
    ("ja", "Error 1005", "ja-account-locked"),
    ("ja", "XRP memo 忘れた", "ja-deposit-missing-memo"),
    ("en", "deposit not credited", "en-deposit-not-credited"),
    ("en", "pasword reset", "en-password-reset"),
    ("en", "maintanence schedule", "en-maintenance-schedule"),
    ("en", "address book", "en-withdrawal-whitelist"),
    ("en", "2fa 紛失", "en-2fa-lost"),
    ("en", "403 IP not allowed", "en-api-ip-restriction"),
]


@pytest.fixture
def collection() -> None:
    require_service(f"the shared collection at {ARTICLES}", ARTICLES.exists())
    with ARTICLES.open(encoding="utf-8") as lines:
        articles = [json.loads(line) for line in lines if line.strip()]
    index_documents(
        Document(
            type="article",
            id=number,
            locale=a["locale"],
            slug=a["slug"],
            title=a["title"],
            body=a["body"],
            url=f"/{a['locale']}/articles/{a['slug']}/",
            category=a["category"],
            tags=tuple(a.get("tags", ())),
            translation_of=a.get("translation_of") or "",
        )
        for number, a in enumerate(articles, start=1)
    )


@pytest.mark.parametrize(("locale", "query", "answer"), TOP_ANSWERS)
def test_the_answer_comes_first(collection: None, locale: str, query: str, answer: str) -> None:
    results = search(query, locale=locale, log=False).results
    assert results[0].slug == answer


def test_a_detail_only_in_english_is_found_from_japanese(collection: None) -> None:
    results = search("recvWindow 最大値", locale="ja", log=False).results
    top = [(hit.slug, hit.locale) for hit in results[:2]]
    assert ("en-api-signature-error", "en") in top
