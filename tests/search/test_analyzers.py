"""The analyzer: what Japanese and English text becomes, the same for documents and queries."""

from __future__ import annotations

from madoguchi.search.analyzers import analyze, analyze_with_offsets, index_terms, normalize


def terms(text: str) -> list[str]:
    return [token.term for token in analyze(normalize(text))]


def test_two_character_words_are_whole_terms() -> None:
    for word in ("出金", "入金", "送金", "口座", "凍結", "審査"):
        assert word in terms(f"{word}について教えてください")


def test_half_width_katakana_meets_full_width() -> None:
    assert terms("ﾛｸﾞｲﾝできない") == terms("ログインできない") == ["ログイン"]


def test_full_width_letters_meet_ascii_letters() -> None:
    assert terms("ＵＳＤＴ") == terms("USDT") == terms("usdt")


def test_okurigana_variants_meet() -> None:
    assert terms("引出し") == terms("引き出し")
    assert terms("取消し") == terms("取り消し")
    assert terms("振込み") == terms("振り込み")


def test_particles_and_auxiliaries_are_dropped() -> None:
    assert terms("入金が反映されない") == ["入金", "反映"]


def test_kanji_numerals_meet_digits() -> None:
    assert terms("二段階認証") == terms("2段階認証")


def test_english_words_are_stemmed_and_stop_words_dropped() -> None:
    assert terms("Withdrawals are delayed") == terms("withdrawal delay")
    assert "the" not in terms("the deposit")


def test_mixed_japanese_and_english_in_one_string() -> None:
    assert terms("USDTを送ったのにdeposit届かない") == ["usdt", "送る", "deposit", "届く"]


def test_hyphenated_words_are_also_indexed_solid() -> None:
    main, extra = index_terms("Set up an anti-phishing code")
    assert main.split() == ["set", "anti", "phish", "code"]
    assert "antiphish" in extra.split()


def test_compounds_also_index_their_parts() -> None:
    main, extra = index_terms("本人確認の手順")
    assert main.split() == ["本人確認", "手順"]
    assert {"本人", "確認"} <= set(extra.split())


def test_offsets_point_into_the_original_text() -> None:
    text = "ﾛｸﾞｲﾝ と ＵＳＤＴ"
    spans = [text[t.start : t.end] for t in analyze_with_offsets(text)]
    assert spans == ["ﾛｸﾞｲﾝ", "ＵＳＤＴ"]


def test_control_characters_and_lone_surrogates_are_harmless() -> None:
    assert terms("出金\x00\x07\ud800\ufffdwithdraw") == ["出金", "withdraw"]


def test_english_number_words_meet_digits() -> None:
    assert terms("two-factor") == terms("2-factor")
    assert index_terms("two-factor")[1] == index_terms("2-factor")[1] == "2factor"
