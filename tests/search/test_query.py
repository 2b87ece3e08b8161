"""Searching through `madoguchi.search.query`: ranking, languages, snippets, facets, typos."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from madoguchi.search.errors import QueryError
from madoguchi.search.models import SynonymGroup
from madoguchi.search.query import autocomplete, search

pytestmark = pytest.mark.django_db

Index = Callable[..., list]


@pytest.fixture
def help_center(index: Index) -> None:
    index(
        {
            "slug": "withdrawal-delayed",
            "title": "出金が遅れている",
            "category": "deposits",
            "body": "出金の申請後、承認に時間がかかることがあります。混雑も原因です。",
            "translation_of": "withdrawal-delayed",
        },
        {
            "slug": "withdrawal-delayed",
            "locale": "en",
            "title": "Withdrawal delayed",
            "category": "deposits",
            "translation_of": "withdrawal-delayed",
            "body": "A withdrawal can take longer when the network is congested.",
        },
        {
            "slug": "deposit-missing",
            "title": "入金が反映されない",
            "category": "deposits",
            "body": "入金が口座に反映されない場合はTxIDを確認してください。",
        },
        {
            "slug": "login-failed",
            "title": "ログインできない",
            "category": "account",
            "body": "パスワードと二段階認証のコードを確認してください。",
        },
        {
            "slug": "2fa-setup",
            "title": "認証アプリの設定",
            "category": "security",
            "body": "二段階認証を有効にすると、ログインのたびにコードを入力します。",
        },
        {
            "slug": "api-limits",
            "locale": "en",
            "title": "API rate limits",
            "category": "api",
            "body": "Every response carries the X-Used-Weight header with your current weight.",
        },
        {
            "slug": "fees",
            "title": "手数料の一覧",
            "category": "fees",
            "body": "取引手数料と出金手数料の一覧です。出金の手数料はネットワークで決まります。",
        },
    )


def slugs(query: str, locale: str = "ja") -> list[str]:
    return [hit.slug for hit in search(query, locale=locale, log=False).results]


def test_two_character_words_are_found(help_center: None) -> None:
    assert slugs("出金")[0] == "withdrawal-delayed"
    assert slugs("入金")[0] == "deposit-missing"


def test_a_title_match_ranks_above_a_body_match(help_center: None) -> None:
    found = slugs("手数料")
    assert found[0] == "fees"


def test_results_in_the_requested_language_come_first(help_center: None) -> None:
    ja = search("withdrawal", locale="ja", log=False).results
    en = search("出金", locale="en", log=False).results
    assert (ja[0].slug, ja[0].locale) == ("withdrawal-delayed", "ja")
    assert (en[0].slug, en[0].locale) == ("withdrawal-delayed", "en")


def test_an_answer_only_in_the_other_language_is_found_and_marked(help_center: None) -> None:
    hits = search("X-Used-Weight ヘッダー", locale="ja", log=False).results
    assert hits[0].slug == "api-limits"
    assert hits[0].locale == "en"


def test_half_width_and_full_width_queries_find_the_same(help_center: None) -> None:
    assert slugs("ﾛｸﾞｲﾝ")[0] == slugs("ログイン")[0] == "login-failed"


def test_default_synonyms_connect_languages_and_spellings(help_center: None) -> None:
    assert slugs("2FA")[0] == "2fa-setup"
    assert slugs("引き出し")[0] == "withdrawal-delayed"


def test_a_synonym_added_by_an_editor_applies_without_reindexing(help_center: None) -> None:
    assert slugs("着弾") == []
    SynonymGroup.objects.create(terms="着弾, 入金")
    assert slugs("着弾")[0] == "deposit-missing"


def test_a_disabled_synonym_group_stops_applying(help_center: None) -> None:
    group = SynonymGroup.objects.create(terms="着弾, 入金")
    assert slugs("着弾")
    group.enabled = False
    group.save(update_fields=["enabled", "updated_at"])
    assert slugs("着弾") == []


def test_snippets_mark_matched_words_and_escape_html(index: Index) -> None:
    index(
        {
            "title": "Scripts",
            "locale": "en",
            "body": "Never paste <script>alert(1)</script> into the withdrawal form.",
        }
    )
    snippet = search("withdrawals", locale="en", log=False).results[0].snippet
    assert "<mark>withdrawal</mark>" in snippet
    assert "&lt;script&gt;" in snippet
    assert "<script>" not in snippet


def test_japanese_snippets_mark_the_written_form(help_center: None) -> None:
    hit = search("引出し", locale="ja", log=False).results[0]
    assert "<mark>出金</mark>" in hit.snippet


def test_facets_count_matches_per_category(help_center: None) -> None:
    found = search("出金", locale="ja", log=False)
    assert found.facets["deposits"] >= 1
    assert found.facets["fees"] == 1
    only_fees = search("出金", locale="ja", category="fees", log=False)
    assert [hit.slug for hit in only_fees.results] == ["fees"]
    assert only_fees.total == 1


def test_did_you_mean_fixes_an_english_typo(help_center: None) -> None:
    found = search("withdrawl", locale="en", log=False)
    assert found.suggestion == "withdrawal"
    assert found.results[0].slug == "withdrawal-delayed"


def test_did_you_mean_fixes_a_wrong_kanji_by_its_reading(help_center: None) -> None:
    found = search("出勤", locale="ja", log=False)
    assert found.suggestion == "出金"
    assert found.results[0].slug == "withdrawal-delayed"


def test_a_word_typed_in_hiragana_finds_its_katakana_form(help_center: None) -> None:
    found = search("ろぐいんできない", locale="ja", log=False)
    assert found.results[0].slug == "login-failed"
    assert found.suggestion is not None and "ログイン" in found.suggestion


def test_autocomplete_offers_titles_in_the_requested_language_first(help_center: None) -> None:
    titles = [s.title for s in autocomplete("出", locale="ja")]
    assert titles[0] == "出金が遅れている"
    english = autocomplete("withdr", locale="en")
    assert english[0].title == "Withdrawal delayed"
    assert english[0].locale == "en"


def test_operators_and_quotes_are_searched_as_words(help_center: None) -> None:
    for query in ('"出金', "出金*", "NEAR(出金", "出金 ^ -入金", "出金 AND OR (", "'; DROP"):
        search(query, locale="ja", log=False)
    assert slugs('出金" OR "*')[0] == "withdrawal-delayed"


def test_an_empty_query_is_refused_with_a_message(help_center: None) -> None:
    for query in ("", "   ", "\x00\x01", "!!!"):
        with pytest.raises(QueryError) as error:
            search(query, locale="ja")
        assert error.value.code == "empty"
        assert error.value.message


def test_a_very_long_query_is_cut_not_refused(help_center: None) -> None:
    found = search("出金 " * 5000, locale="ja", log=False)
    assert found.results[0].slug == "withdrawal-delayed"


def test_a_common_word_on_a_big_collection_still_finds_title_matches_first(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    from madoguchi.search import query

    index(
        *[{"title": f"お知らせ {n}", "body": "出金について少し触れます。"} for n in range(12)],
        {"slug": "answer", "title": "出金の方法", "body": "出金の手順です。"},
    )
    monkeypatch.setattr(query, "LARGE", 3)  # as if the collection were huge
    monkeypatch.setattr(query, "FACETS_EXACT", 3)
    found = search("出金", locale="ja", log=False)
    assert found.results[0].slug == "answer"
    assert found.total == 13
    assert sum(found.facets.values()) == 13
