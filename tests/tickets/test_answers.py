"""Answers to a problem type's fields: what is kept, and each fault with its code and words.

The support form and the ticket API both hand their answers to these checks (their own tests
go through HTTP); these name the rules once, on the seeded problem types.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from madoguchi.tickets.answers import CheckedAnswers, check_answers
from madoguchi.tickets.models import ProblemType

pytestmark = pytest.mark.django_db

BTC_ADDRESS = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP-173
ETH_ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55


def check(slug: str, **answers: str) -> CheckedAnswers:
    fields = list(ProblemType.objects.get(slug=slug).fields.all())
    return check_answers(fields=fields, answers=answers)


def faults(result: CheckedAnswers) -> list[tuple[str, str]]:
    return [(item.key, item.code) for item in result.problems]


def withdrawal(**changes: str) -> dict[str, Any]:
    answers = {
        "coin": "ｕｓｄｔ",
        "network": " eth ",
        "amount": "１，２５０．５０",
        "destination_address": ETH_ADDRESS.lower(),
        "requested_at": "2025/01/31 10:00",
    }
    return {**answers, **changes}


def test_answers_are_kept_in_one_normalized_form() -> None:
    result = check("withdrawal", **withdrawal(), occurred_at="2025-01-31T01:00:00Z")
    assert result.problems == ()
    assert result.answers == {
        "coin": "USDT",
        "network": "ETH",
        "amount": "1250.5",
        "destination_address": ETH_ADDRESS,
        "requested_at": "2025-01-31T10:00+09:00",
        "occurred_at": "2025-01-31T10:00+09:00",
    }


def test_free_text_is_kept_as_intake_stores_it_and_blank_answers_are_left_out() -> None:
    result = check(
        "trading",
        pair="  ＢＴＣ／ＪＰＹ\r\n",
        order_type="limit",
        order_id="\x00\x1b ",
        error_message=" ",
    )
    assert result.problems == ()
    assert result.answers == {"pair": "ＢＴＣ／ＪＰＹ", "order_type": "limit"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"amount": "0"}, [("amount", "bad_amount")]),
        ({"amount": "1e9"}, [("amount", "bad_amount")]),
        ({"coin": "US DT!"}, [("coin", "bad_coin")]),
        ({"coin": "BTC"}, [("coin", "coin_not_on_network")]),
        ({"network": "<b>ETH"}, [("network", "unknown_network")]),
        ({"network": ""}, [("network", "required")]),
        ({"requested_at": "yesterday"}, [("requested_at", "bad_datetime")]),
        ({"requested_at": "2999-01-01T00:00"}, [("requested_at", "in_the_future")]),
        (
            {"destination_address": "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
            [("destination_address", "bad_checksum")],
        ),
        ({"destination_address": "0x" + "ab" * 5000}, [("destination_address", "too_long")]),
        ({"withdrawal_id": "x" * 501}, [("withdrawal_id", "too_long")]),
        ({"colour": "red"}, [("colour", "unknown_field")]),
    ],
)
def test_each_fault_is_named_by_its_field_and_code(
    changes: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    result = check("withdrawal", **withdrawal(**changes))
    assert faults(result) == expected
    assert all(item.message for item in result.problems)
    for key, _code in expected:
        assert key not in result.answers


def test_an_address_without_a_network_asks_for_the_network_and_a_coin_alone_does_not() -> None:
    fields = list(ProblemType.objects.get(slug="withdrawal").fields.all())
    optional = [row for row in fields if row.key != "network"]
    network = next(row for row in fields if row.key == "network")
    network.required = False
    rows = [*optional, network]
    asked = check_answers(fields=rows, answers=withdrawal(network=""))
    assert faults(asked) == [("network", "network_needed")]
    alone = check_answers(fields=rows, answers={"coin": "BTC", "amount": "1"})
    assert faults(alone) == [("destination_address", "required"), ("requested_at", "required")]


def test_a_missing_memo_is_flagged_where_the_network_needs_one_and_kept_where_it_does_not() -> None:
    xrp = withdrawal(
        coin="XRP", network="XRP", destination_address="rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe"
    )
    assert faults(check("withdrawal", **xrp)) == [("memo", "memo_required")]
    assert check("withdrawal", **xrp, memo="１２３").answers["memo"] == "123"
    # Ethereum has no memo: what the customer wrote is kept all the same.
    assert check("withdrawal", **withdrawal(memo="for Hanako")).answers["memo"] == "for Hanako"


def test_a_choice_is_one_of_its_values_and_the_fault_lists_them_in_the_callers_language() -> None:
    assert check("login", what_fails="password").answers == {"what_fails": "password"}
    with translation.override("ja"):
        (fault,) = check("login", what_fails="everything").problems
    assert fault.code == "bad_choice"
    assert fault.message.startswith("次のいずれかを選んでください")
    assert "password" in fault.message


def test_the_error_message_and_when_it_happened_are_checked_beside_the_fields() -> None:
    result = check("other", error_message="E" * 2001, occurred_at="２０２５/０１/３１")
    assert faults(result) == [("error_message", "too_long")]
    assert result.answers == {"occurred_at": "2025-01-31T00:00+09:00"}
