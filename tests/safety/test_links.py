"""Links in what customers write: official ones kept, look-alikes of the exchange defanged and
reported with a translated reason, everything else kept and marked as external."""

from __future__ import annotations

import idna
import pytest
from django.utils import translation

from madoguchi.safety.links import LinkKind, LinkReason, check_links, neutralize_links

pytestmark = pytest.mark.django_db


def only_finding(text: str):  # type: ignore[no-untyped-def]
    findings = check_links(text).findings
    assert len(findings) == 1, findings
    return findings[0]


@pytest.mark.parametrize(
    "text",
    [
        "https://tsukimi.example/",
        "https://www.tsukimi.example/ja/articles/fees/",
        "www.tsukimi.example",
        "help.tsukimi.example/ja/",
        "HTTPS://TSUKIMI.EXAMPLE/LOGIN",
        "tsukimi.example",
    ],
)
def test_the_exchanges_own_addresses_are_official(text: str) -> None:
    finding = only_finding(f"ログインは {text} からどうぞ")
    assert finding.kind == LinkKind.OFFICIAL
    assert finding.reason == LinkReason.OFFICIAL_DOMAIN


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("tsuklmi.example", LinkReason.TYPOSQUAT),
        ("tsukimi.example".replace("i", "ï", 1), LinkReason.HOMOGLYPH),
        ("tsuk\u0456mi.example", LinkReason.HOMOGLYPH),  # Cyrillic і
        ("tsukimi-support.example", LinkReason.EXTRA_WORDS),
        ("support-tsukimi.example", LinkReason.EXTRA_WORDS),
        ("tsukimi-login.com", LinkReason.EXTRA_WORDS),
        ("tsukimiexchange-help.com", LinkReason.EXTRA_WORDS),
        ("tsukimi.co", LinkReason.OTHER_SUFFIX),
        ("tsukimi-example.com", LinkReason.EXTRA_WORDS),
        ("tsukimi.example.login-verify.com", LinkReason.OFFICIAL_AS_SUBDOMAIN),
        ("tsukimi.example.evil.com", LinkReason.OFFICIAL_AS_SUBDOMAIN),
        ("tsuklmi-support.net", LinkReason.TYPOSQUAT),
    ],
)
def test_addresses_that_imitate_the_exchange_are_look_alikes(host: str, reason: str) -> None:
    finding = only_finding(f"Please verify at https://{host}/login now")
    assert finding.kind == LinkKind.LOOKALIKE
    assert reason in finding.reasons


def test_a_cyrillic_letter_is_reported_as_mixed_scripts() -> None:
    finding = only_finding("https://tsuk\u0456mi.example/")
    assert finding.reasons[:2] == (LinkReason.HOMOGLYPH, LinkReason.MIXED_SCRIPT)


@pytest.mark.parametrize("disguised", ["tsukïmi", "tsuk\u0456mi"])
def test_punycode_is_decoded_before_it_is_compared(disguised: str) -> None:
    punycode = idna.encode(f"{disguised}.example", uts46=True).decode()
    assert punycode.startswith("xn--")
    finding = only_finding(f"ログイン: https://{punycode}/ja/")
    assert finding.kind == LinkKind.LOOKALIKE
    assert LinkReason.PUNYCODE in finding.reasons
    assert LinkReason.HOMOGLYPH in finding.reasons
    assert finding.host == f"{disguised}.example"


def test_a_third_party_site_is_external_not_a_look_alike() -> None:
    finding = only_finding("TxID は https://etherscan.io/tx/0xabc で確認できます")
    assert finding.kind == LinkKind.OTHER
    assert finding.reasons == (LinkReason.EXTERNAL,)
    assert finding.host == "etherscan.io"


def test_the_exchange_name_before_an_at_sign_is_a_look_alike() -> None:
    finding = only_finding("公式サイト https://tsukimi.example@evil.com/login")
    assert finding.kind == LinkKind.LOOKALIKE
    assert finding.reason == LinkReason.USERINFO
    assert finding.host == "evil.com"


def test_mail_addresses_in_text_are_checked_by_their_domain() -> None:
    report = check_links("送信元 support@tsukimi.example と security@tsukimi-support.example")
    assert [(f.is_email, f.kind) for f in report.findings] == [
        (True, LinkKind.OFFICIAL),
        (True, LinkKind.LOOKALIKE),
    ]


def test_japanese_brackets_and_full_stop_are_not_part_of_the_url() -> None:
    text = (
        "公式は「https://tsukimi.example/」。偽物は『https://tsukimi-support.example/login』です、"
    )
    report = check_links(text)
    assert [f.text for f in report.findings] == [
        "https://tsukimi.example/",
        "https://tsukimi-support.example/login",
    ]
    assert text[report.findings[0].start : report.findings[0].end] == "https://tsukimi.example/"


def test_full_width_dots_and_letters_are_read_as_the_host_they_show() -> None:
    report = check_links("こちら tsukimi．example と ｔｓｕｋｌｍｉ．example へ")
    assert [(f.text, f.kind) for f in report.findings] == [
        ("tsukimi．example", LinkKind.OFFICIAL),
        ("ｔｓｕｋｌｍｉ．example", LinkKind.LOOKALIKE),
    ]


def test_links_in_markdown_and_html_are_found() -> None:
    report = check_links(
        "[https://tsukimi.example](https://tsukimi.example.login-verify.com/a) "
        '<a href="https://etherscan.io/">scan</a>'
    )
    assert [f.kind for f in report.findings] == [
        LinkKind.OFFICIAL,
        LinkKind.LOOKALIKE,
        LinkKind.OTHER,
    ]


def test_neutralizing_defangs_look_alikes_and_keeps_the_rest() -> None:
    text = (
        "公式 https://tsukimi.example/ja/ 以外の https://tsukimi-support.example/login や "
        "tsuklmi.example は偽物です。詳しくは https://etherscan.io/tx/1"
    )
    safe, findings = neutralize_links(text)
    assert "hxxps://tsukimi-support[.]example/login" in safe
    assert "tsuklmi[.]example" in safe
    assert "https://tsukimi.example/ja/" in safe
    assert "https://etherscan.io/tx/1" in safe
    assert [f.kind for f in findings] == [
        LinkKind.OFFICIAL,
        LinkKind.LOOKALIKE,
        LinkKind.LOOKALIKE,
        LinkKind.OTHER,
    ]
    assert not check_links(safe).has_lookalikes


def test_a_full_width_look_alike_is_defanged_too() -> None:
    safe, findings = neutralize_links(
        "ＨＴＴＰＳ：／／ｔｓｕｋｉｍｉ－ｓｕｐｐｏｒｔ．ｅｘａｍｐｌｅ／"
    )
    assert findings[0].kind == LinkKind.LOOKALIKE
    assert safe == "hxxpＳ：／／ｔｓｕｋｉｍｉ－ｓｕｐｐｏｒｔ[.]ｅｘａｍｐｌｅ／"


def test_a_neutralized_mail_address_is_not_clickable() -> None:
    safe, _ = neutralize_links("連絡先: support@tsukimi-help.com")
    assert safe == "連絡先: support[@]tsukimi-help[.]com"


def test_findings_carry_the_span_of_the_link_in_the_original_text() -> None:
    text = "偽サイト tsukimi-login.com/verify に注意"
    finding = only_finding(text)
    assert text[finding.start : finding.end] == "tsukimi-login.com/verify"
    assert finding.host == "tsukimi-login.com"


def test_reasons_are_told_in_japanese_and_english() -> None:
    finding = only_finding("https://tsukimi-support.example/")
    with translation.override("ja"):
        japanese = finding.messages
    with translation.override("en"):
        english = finding.messages
    assert english == ["The address adds words to the exchange's name."]
    assert japanese != english
    assert all(message.strip() for message in japanese)


def test_text_without_links_has_no_findings() -> None:
    assert check_links("入金が反映されません。TxID: 0xabc...").findings == ()
    assert neutralize_links("") == ("", [])


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02https://tsukimi-support.example/\x7f\x1b[31m",
        "https://[::1/ https://[zz]/ http://:80/ https://@/ mailto:@",
        "https://" + "a" * 300 + ".example/",
        "xn--zzzzzz.example xn--.example https://xn--a.xn--b/",
        "\ud800 broken surrogate tsukimi.example",
        "a" * 10_000,
        "[tsukimi.example](" * 550,
        "<a href=https://evil.com " * 400 + ">tsukimi.example",
        ("tsukimi-support.example/login 「https://tsukimi.example/」。" * 200)[:10_000],
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    safe, findings = neutralize_links(text)
    assert isinstance(safe, str)
    assert all(0 <= f.start < f.end <= len(text) for f in findings)


def test_a_long_message_with_many_links_is_neutralized_in_full() -> None:
    text = ("tsukimi-support.example/login 「https://tsukimi.example/」。" * 200)[:10_000]
    safe, findings = neutralize_links(text)
    assert len(text) == 10_000
    assert sum(f.kind == LinkKind.LOOKALIKE for f in findings) >= 150
    assert "tsukimi-support.example" not in safe


@pytest.mark.parametrize(
    "text",
    [
        "[https://tsukimi.example/login](https://evil.com/login)",
        '<p>Log in at <A class="btn" HREF="https://evil.com/login">tsukimi.example</A></p>',
    ],
)
def test_a_link_that_shows_the_official_address_but_goes_elsewhere_is_a_look_alike(
    text: str,
) -> None:
    report = check_links(text)
    target = [f for f in report.findings if f.host == "evil.com"]
    assert [f.reasons for f in target] == [(LinkReason.DISGUISED_TEXT,)]
    safe, _ = neutralize_links(text)
    assert "evil[.]com" in safe


def test_a_link_that_shows_its_own_third_party_address_stays_external() -> None:
    report = check_links("[etherscan.io](https://etherscan.io/tx/1)")
    assert [f.kind for f in report.findings] == [LinkKind.OTHER, LinkKind.OTHER]
