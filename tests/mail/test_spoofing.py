"""Mail that pretends to come from the exchange is flagged for the agent and is never trusted
to join a ticket."""

from __future__ import annotations

from pathlib import Path

import pytest

from madoguchi.mail.classify.spoofing import SpoofReason, check_spoofing

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "mail"
OURS = {"own_domains": ("tsukimi.example",), "authserv_ids": ("mx.tsukimi.example",)}


def _mail(*headers: str) -> bytes:
    return ("\n".join((*headers, "To: support@tsukimi.example")) + "\n\nHello\n").encode()


def _reasons(data: bytes) -> list[SpoofReason]:
    return [finding.reason for finding in check_spoofing(data, **OURS).findings]


def test_an_ordinary_customer_is_trusted_and_raises_nothing() -> None:
    result = check_spoofing(_mail("From: Hanako <hanako@example.jp>"), **OURS)
    assert result.findings == ()
    assert result.trusted_for_threading


def test_a_sender_in_our_own_domain_is_flagged() -> None:
    result = check_spoofing(_mail("From: Support <support@tsukimi.example>"), **OURS)
    assert [f.reason for f in result.findings] == [SpoofReason.OWN_DOMAIN]
    assert "support@tsukimi.example" in result.findings[0].detail
    assert not result.trusted_for_threading


def test_a_look_alike_from_domain_with_a_japanese_brand_name_is_flagged() -> None:
    result = check_spoofing((FIXTURES / "classify_lookalike-from.eml").read_bytes(), **OURS)
    assert [f.reason for f in result.findings] == [SpoofReason.LOOKALIKE_DOMAIN]
    assert "tsukimi-support.example" in result.findings[0].detail
    assert not result.trusted_for_threading


@pytest.mark.parametrize(
    "sender",
    ["support@tsukimí.example", "help@tsuklmi.example", "x@tsukimi.example.login-verify.com"],
)
def test_homoglyph_typo_and_subdomain_look_alikes_are_flagged(sender: str) -> None:
    data = f"From: <{sender}>\nTo: support@tsukimi.example\n\nHi\n".encode()
    assert _reasons(data) == [SpoofReason.LOOKALIKE_DOMAIN]


@pytest.mark.parametrize(
    "name", ["Tsukimi Support", "=?UTF-8?B?44OE44Kt44OfIOOCteODneODvOODiA==?=", "ＴＳＵＫＩＭＩ"]
)
def test_a_display_name_claiming_the_brand_is_flagged(name: str) -> None:
    result = check_spoofing(_mail(f"From: {name} <noreply@mailer.example.com>"), **OURS)
    assert [f.reason for f in result.findings] == [SpoofReason.BRAND_DISPLAY_NAME]
    assert not result.trusted_for_threading


def test_our_own_servers_dmarc_failure_is_flagged() -> None:
    data = _mail(
        "Authentication-Results: mx.tsukimi.example; dmarc=fail (p=reject) header.from=example.org",
        "From: <customer@example.org>",
    )
    result = check_spoofing(data, **OURS)
    assert [f.reason for f in result.findings] == [SpoofReason.AUTHENTICATION_FAILED]
    assert "dmarc=fail" in result.findings[0].detail
    assert not result.trusted_for_threading


def test_without_dmarc_a_failed_spf_is_flagged_unless_dkim_passed() -> None:
    failed = "Authentication-Results: mx.tsukimi.example; spf=fail smtp.mailfrom=example.org"
    rescued = failed + "; dkim=pass header.d=example.org"
    assert _reasons(_mail(failed, "From: <c@example.org>")) == [SpoofReason.AUTHENTICATION_FAILED]
    assert _reasons(_mail(rescued, "From: <c@example.org>")) == []


def test_a_passing_dmarc_overrides_a_failing_spf() -> None:
    header = "Authentication-Results: mx.tsukimi.example; spf=fail; dmarc=pass"
    assert check_spoofing(_mail(header, "From: <c@example.org>"), **OURS).trusted_for_threading


def test_a_forged_authentication_results_header_is_ignored() -> None:
    result = check_spoofing(
        (FIXTURES / "classify_forged-authentication-results.eml").read_bytes(), **OURS
    )
    reasons = [f.reason for f in result.findings]
    assert reasons == [
        SpoofReason.AUTHENTICATION_FAILED,
        SpoofReason.UNTRUSTED_AUTHENTICATION_RESULTS,
        SpoofReason.UNTRUSTED_AUTHENTICATION_RESULTS,
    ]
    assert "mail.attacker.example" in result.findings[2].detail
    assert not result.trusted_for_threading


def test_a_failure_reported_by_someone_elses_server_does_not_count() -> None:
    header = "Authentication-Results: mx.attacker.example; dmarc=fail"
    result = check_spoofing(_mail(header, "From: <c@example.org>"), **OURS)
    assert [f.reason for f in result.findings] == [SpoofReason.UNTRUSTED_AUTHENTICATION_RESULTS]
    assert result.trusted_for_threading


def test_the_authserv_id_is_configurable() -> None:
    header = "Authentication-Results: in.example.net; dmarc=fail"
    data = _mail(header, "From: <c@example.org>")
    assert check_spoofing(data, authserv_ids=("in.example.net",)).suspicious


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.eml")), ids=lambda path: path.name)
def test_no_corpus_message_claims_to_be_the_exchange(path: Path) -> None:
    result = check_spoofing(path.read_bytes(), **OURS)
    assert result.trusted_for_threading, result.findings


@pytest.mark.parametrize(
    "data", [b"", b"From: =?x?Q?\xff@\n\n", b"From: <@>\nAuthentication-Results:;;=\n\n"]
)
def test_garbage_never_raises(data: bytes) -> None:
    assert check_spoofing(data, **OURS).trusted_for_threading
