"""A reply is joined to its ticket only by what it cannot fake by typing: the per-ticket reply
address and our own Message-IDs. A subject tag is only ever a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from madoguchi.mail.classify.threading import thread_reference

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
OURS = ("support@tsukimi.example",)


def _mail(*headers: str) -> bytes:
    return ("\n".join(("From: Customer <c@example.org>", *headers)) + "\n\nThanks\n").encode()


def test_the_token_of_the_per_ticket_address_in_to_is_found() -> None:
    ref = thread_reference(_mail("To: support+Q9vLm2Xc7pEa@tsukimi.example"), OURS)
    assert ref.reply_tokens == ("Q9vLm2Xc7pEa",)
    assert ref.has_reference


@pytest.mark.parametrize("header", ["Cc", "Delivered-To"])
def test_the_token_is_found_in_cc_and_delivered_to(header: str) -> None:
    data = _mail("To: someone@example.org", f"{header}: <support+abcdefghij_-12@tsukimi.example>")
    assert thread_reference(data, OURS).reply_tokens == ("abcdefghij_-12",)


def test_the_local_part_and_the_domain_are_compared_without_case() -> None:
    data = _mail('To: "Tsukimi" <SUPPORT+Q9vLm2Xc7pEa@Tsukimi.Example>')
    assert thread_reference(data, OURS).reply_tokens == ("Q9vLm2Xc7pEa",)


def test_a_token_for_another_domain_is_ignored() -> None:
    data = _mail("To: support+Q9vLm2Xc7pEa@tsukimi-support.example")
    assert thread_reference(data, OURS).reply_tokens == ()


@pytest.mark.parametrize("token", ["short", "x" * 41, "has.dot.inside1", "spa ce0123456"])
def test_a_token_of_the_wrong_shape_is_ignored(token: str) -> None:
    data = _mail(f"To: <support+{token}@tsukimi.example>")
    assert thread_reference(data, OURS).reply_tokens == ()


def test_the_base_address_is_configurable() -> None:
    data = _mail("To: help+Q9vLm2Xc7pEa@mail.tsukimi.example")
    assert thread_reference(data, ("help@mail.tsukimi.example",)).reply_tokens == ("Q9vLm2Xc7pEa",)
    assert thread_reference(data, OURS).reply_tokens == ()


def test_in_reply_to_and_references_give_the_ids_newest_first() -> None:
    data = _mail(
        "In-Reply-To: <c@tsukimi.example>",
        "References: <a@tsukimi.example>\n <b@tsukimi.example> <c@tsukimi.example>",
    )
    ref = thread_reference(data, OURS)
    assert ref.in_reply_to == ("<c@tsukimi.example>",)
    assert ref.references == ("<a@tsukimi.example>", "<b@tsukimi.example>", "<c@tsukimi.example>")
    assert ref.message_ids == ("<c@tsukimi.example>", "<b@tsukimi.example>", "<a@tsukimi.example>")


def test_junk_around_message_ids_is_tolerated() -> None:
    data = _mail(
        'In-Reply-To: "Your message of Monday" <x1@tsukimi.example> (sent by Outlook)',
        "References: <a@tsukimi.example>,<b@tsukimi.example>; <no-at-sign> garbage",
    )
    ref = thread_reference(data, OURS)
    assert ref.in_reply_to == ("<x1@tsukimi.example>",)
    assert ref.references == ("<a@tsukimi.example>", "<b@tsukimi.example>")


def test_an_id_without_angle_brackets_is_still_read() -> None:
    ref = thread_reference(_mail("In-Reply-To: x1@tsukimi.example"), OURS)
    assert ref.in_reply_to == ("<x1@tsukimi.example>",)


def test_a_subject_tag_alone_is_a_hint_and_never_a_reference() -> None:
    ref = thread_reference(_mail("To: support@tsukimi.example", "Subject: Re: Help [#123]"), OURS)
    assert ref.subject_hint == "123"
    assert not ref.has_reference
    assert ref.reply_tokens == () and ref.message_ids == ()


def test_an_exchange_auto_reply_carries_the_token_and_our_message_id() -> None:
    ref = thread_reference((FIXTURES / "classify_exchange-automatic-reply.eml").read_bytes(), OURS)
    assert ref.reply_tokens == ("Q9vLm2Xc7pEa",)
    assert ref.in_reply_to == ("<reply-1042-a8f3@tsukimi.example>",)
    assert ref.subject_hint == "1042"


@pytest.mark.parametrize("data", [b"", b"To: \xff\xfe@@@\nReferences: <<<>>>\n\n", b"\x00"])
def test_garbage_never_raises(data: bytes) -> None:
    assert not thread_reference(data, OURS).has_reference
