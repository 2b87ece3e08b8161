"""GET /api/v1/search and /api/v1/search/autocomplete, including every kind of bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.search.services import index_documents
from tests.search.conftest import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    index_documents(
        [
            make_document(id=1, slug="withdrawal", title="出金が遅れている", body="出金の申請"),
            make_document(
                id=2,
                slug="withdrawal",
                locale="en",
                title="Withdrawal delayed",
                body="Your withdrawal is pending.",
            ),
        ]
    )
    return Client()


def test_search_answers_the_documented_json(client: Client) -> None:
    response = client.get("/api/v1/search", {"q": "出金", "locale": "ja", "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"results", "total", "took_ms"}
    first = body["results"][0]
    assert set(first) >= {"type", "id", "slug", "locale", "title", "url", "snippet", "score"}
    assert (first["slug"], first["locale"], first["url"]) == (
        "withdrawal",
        "ja",
        "/ja/articles/withdrawal/",
    )
    assert "<mark>出金</mark>" in first["snippet"]


def test_an_empty_query_is_a_400_in_the_users_language(client: Client) -> None:
    ja = client.get("/api/v1/search", {"q": ""}, HTTP_ACCEPT_LANGUAGE="ja")
    en = client.get("/api/v1/search", {"q": "  "}, HTTP_ACCEPT_LANGUAGE="en")
    by_locale = client.get("/api/v1/search", {"q": "", "locale": "en"})
    assert ja.status_code == en.status_code == by_locale.status_code == 400
    assert ja.json()["code"] == "empty"
    assert en.json()["message"] == by_locale.json()["message"]
    assert ja.json()["message"] != en.json()["message"]


@pytest.mark.parametrize(
    "raw_query",
    [
        "q=%ED%A0%80",  # a lone surrogate, UTF-8 encoded
        "q=%FF%FE%FD",  # not UTF-8 at all
        "q=%C3%28%E5%87%BA%E9%87%91",  # broken sequence before a real word
        "q=%00%01%1B%7F",  # control characters
        "q=%22NEAR%28%2A%29%20AND%20OR%20%5E%20-%20%28",  # FTS operators and quotes
        "q=" + "%E5%87%BA" * 10_000,  # a 10,000-character query
        "q=" + "a%20" * 5_000,
    ],
)
def test_bad_input_never_causes_a_server_error(client: Client, raw_query: str) -> None:
    response = client.get("/api/v1/search?" + raw_query + "&locale=ja")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["message"]


@pytest.mark.parametrize(
    ("parameters", "name"),
    [({"locale": "fr"}, "locale"), ({"limit": 0}, "limit"), ({"limit": "many"}, "limit")],
)
def test_bad_parameters_are_a_translated_422_that_names_them(
    client: Client, parameters: dict[str, object], name: str
) -> None:
    response = client.get("/api/v1/search", {"q": "出金", **parameters}, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert not body["message"].isascii()  # in Japanese, as the request asked
    assert [item["loc"] for item in body["detail"]] == [["query", name]]


def test_autocomplete_offers_titles(client: Client) -> None:
    response = client.get("/api/v1/search/autocomplete", {"q": "withd", "locale": "en"})
    assert response.status_code == 200
    assert response.json()["suggestions"][0]["title"] == "Withdrawal delayed"


def test_the_schema_documents_every_status_code() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/search"]["get"]["responses"]
    assert {"200", "400", "422", "429"} <= set(responses)


def test_too_many_searches_from_one_address_are_a_429(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    cache.clear()
    settings.MADOGUCHI_SEARCH_RATE = "2/m"
    for _ in range(2):
        assert client.get("/api/v1/search", {"q": "出金"}).status_code == 200
    limited = client.get("/api/v1/search", {"q": "出金"}, HTTP_ACCEPT_LANGUAGE="en")
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert "Wait a moment" in limited.json()["message"]
    cache.clear()
