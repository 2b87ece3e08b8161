"""The reply box's tools over HTTP (madoguchi.tickets.views.agent.composer): Help Center articles
found through the search service and inserted as title and absolute address, canned replies
inserted without JavaScript, agents only, within a rate limit, in a few queries."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from madoguchi.search import synonyms, vocabulary
from madoguchi.search.documents import Document
from madoguchi.search.services import index_documents
from madoguchi.tickets.models import CannedReply, Message, Ticket

pytestmark = pytest.mark.django_db

Login = Callable[[Any], Client]
MakeTicket = Callable[..., Ticket]
BASE = "https://support.tsukimi.example"


@pytest.fixture(autouse=True)
def clean(settings: Any) -> Iterator[None]:
    settings.MADOGUCHI_BASE_URL = BASE
    cache.clear()
    vocabulary.forget_cached()
    synonyms.forget_cached()
    yield
    cache.clear()
    vocabulary.forget_cached()
    synonyms.forget_cached()


@pytest.fixture
def articles(db: None) -> None:
    index_documents(
        [
            Document(
                type="article",
                id=1,
                locale="ja",
                slug="deposit-not-credited",
                title="入金が反映されないとき",
                body="ブロックチェーンの承認数が足りないと入金は反映されません。",
                url="/ja/articles/deposit-not-credited/",
                translation_of="deposit-not-credited-en",
            ),
            Document(
                type="article",
                id=2,
                locale="en",
                slug="deposit-not-credited-en",
                title="When a deposit is not credited",
                body="A deposit is credited after enough blockchain confirmations.",
                url="/en/articles/deposit-not-credited-en/",
                translation_of="deposit-not-credited",
            ),
            Document(
                type="guide",
                id=3,
                locale="ja",
                slug="two-factor",
                title="二段階認証を設定する",
                body="認証アプリで二段階認証を設定します。",
                url="/ja/guides/two-factor/",
            ),
        ]
    )


def search_url(ticket: Ticket, query: str) -> str:
    return f"/ja/agent/tickets/{ticket.pk}/articles/?q={query}"


def compose(client: Client, ticket: Ticket, **data: str) -> Any:
    return client.post(f"/ja/agent/tickets/{ticket.pk}/compose/", {"status": "pending", **data})


def draft(response: Any) -> str:
    found = re.search(
        r'<textarea name="body"[^>]*>\n?(.*?)</textarea>', response.content.decode(), re.S
    )
    assert found, "no reply box"
    return html.unescape(found[1])


def test_the_search_finds_articles_in_the_tickets_language_with_absolute_links(
    articles: None, payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    japanese = make_ticket()
    english = make_ticket(language="en", subject="Deposit missing", body="My BTC is not here.")
    client = login(payments_agent)
    found = client.get(search_url(japanese, "入金 反映")).json()["articles"]
    assert found[0] == {
        "ref": "article:1",
        "title": "入金が反映されないとき",
        "url": f"{BASE}/ja/articles/deposit-not-credited/",
        "locale": "ja",
        "text": f"入金が反映されないとき\n{BASE}/ja/articles/deposit-not-credited/",
    }
    found = client.get(search_url(english, "deposit credited")).json()["articles"]
    assert found[0]["url"] == f"{BASE}/en/articles/deposit-not-credited-en/"


def test_guides_are_found_too_and_an_empty_query_finds_nothing(
    articles: None, payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()
    client = login(payments_agent)
    found = client.get(search_url(ticket, "二段階認証")).json()["articles"]
    assert [article["ref"] for article in found] == ["guide:3"]
    assert client.get(search_url(ticket, "%20")).json() == {"articles": []}
    assert client.get(search_url(ticket, "!!!")).json() == {"articles": []}


def test_agents_searches_are_not_logged_as_help_center_searches(
    articles: None, payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    from madoguchi.search.models import SearchQuery

    login(payments_agent).get(search_url(make_ticket(), "入金"))
    assert not SearchQuery.objects.exists()


def test_the_search_is_for_agents_of_the_ticket_only(
    articles: None,
    general_agent: Any,
    customer: Any,
    make_ticket: MakeTicket,
    login: Login,
) -> None:
    ticket = make_ticket()  # payments
    assert login(general_agent).get(search_url(ticket, "入金")).status_code == 404
    assert login(customer).get(search_url(ticket, "入金")).status_code == 404
    assert login(None).get(search_url(ticket, "入金")).status_code == 302
    client = login(general_agent)
    for guessed in ("999999", "99999999999999999999"):
        assert client.get(f"/ja/agent/tickets/{guessed}/articles/?q=x").status_code == 404


def test_the_search_is_rate_limited_per_agent_with_a_translated_429(
    articles: None, payments_agent: Any, make_ticket: MakeTicket, login: Login, settings: Any
) -> None:
    settings.MADOGUCHI_AGENT_ARTICLE_SEARCH_RATE = "3/m"
    ticket = make_ticket()
    client = login(payments_agent)
    for _attempt in range(3):
        assert client.get(search_url(ticket, "入金")).status_code == 200
    refused = client.get(search_url(ticket, "入金"))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["articles"] == []
    assert "記事の検索が多すぎます" in refused.json()["message"]


def test_the_search_takes_a_few_queries(
    articles: None,
    payments_agent: Any,
    make_ticket: MakeTicket,
    login: Login,
    django_assert_max_num_queries: Any,
) -> None:
    ticket = make_ticket()
    client = login(payments_agent)
    client.get(search_url(ticket, "入金"))
    # The search service's own reads; on PostgreSQL each backend query has its savepoint.
    with django_assert_max_num_queries(24):
        assert client.get(search_url(ticket, "入金 反映")).json()["articles"]


def test_without_javascript_the_search_lists_articles_and_keeps_the_draft(
    articles: None, payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()
    client = login(payments_agent)
    response = compose(
        client,
        ticket,
        body="お問い合わせありがとうございます。",
        composer="find",
        article_query="入金 反映",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert draft(response) == "お問い合わせありがとうございます。"
    assert 'name="article" value="article:1"' in page
    assert 'value="入金 反映"' in page
    none = compose(client, ticket, body="", composer="find", article_query="存在しない話題")
    assert "記事が見つかりませんでした" in none.content.decode()


def test_without_javascript_an_article_is_added_to_the_draft_as_title_and_address(
    articles: None, payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()
    response = compose(
        login(payments_agent), ticket, body="こちらをご覧ください。", article="article:1"
    )
    assert draft(response) == (
        f"こちらをご覧ください。\n\n入金が反映されないとき\n{BASE}/ja/articles/deposit-not-credited/"
    )
    assert not Message.objects.filter(ticket=ticket, author=payments_agent).exists()


def test_an_article_that_is_not_a_help_center_page_is_not_inserted(
    articles: None, payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    index_documents(
        [
            Document(
                type="article",
                id=9,
                locale="ja",
                slug="x",
                title="外部",
                body="外部",
                url="https://evil.example/ja/articles/x/",
            )
        ]
    )
    ticket = make_ticket()
    client = login(payments_agent)
    for ref in ("article:9", "ticket:1", "article:abc", "article:" + "9" * 30, "", "article:404"):
        response = compose(client, ticket, body="下書き", article=ref)
        assert draft(response) == "下書き", ref


def test_without_javascript_a_canned_reply_is_added_after_the_draft(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()
    reply = CannedReply.objects.create(
        title="お礼", body_ja="#{ticket_id} をご連絡いただきありがとうございます。", body_en="-"
    )
    response = compose(
        login(payments_agent),
        ticket,
        body="下書き\n",
        canned=str(reply.pk),
        composer="canned",
        status="solved",
    )
    assert draft(response) == f"下書き\n\n#{ticket.pk} をご連絡いただきありがとうございます。"
    assert '<option value="solved" selected>' in response.content.decode()


def test_the_composer_answers_only_to_post_and_only_agents_of_the_ticket(
    general_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()
    client = login(general_agent)
    assert client.get(f"/ja/agent/tickets/{ticket.pk}/compose/").status_code == 405
    assert compose(client, ticket, body="x", composer="find").status_code == 404


def test_the_composer_on_a_closed_ticket_keeps_the_draft_and_says_why(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    from madoguchi.tickets import services

    ticket = make_ticket()
    services.change_status(ticket=ticket, status="closed", by=payments_agent)
    response = compose(login(payments_agent), ticket, body="送れなかった下書き", composer="find")
    page = response.content.decode()
    assert response.status_code == 403
    assert "送れなかった下書き" in page
    assert "このチケットはクローズ済みです" in page


def test_the_ticket_page_wires_the_tools_and_keys(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()
    CannedReply.objects.create(title="お礼", body_ja="ありがとうございます。", body_en="Thanks.")
    page = login(payments_agent).get(f"/ja/agent/tickets/{ticket.pk}/").content.decode()
    assert f'data-search-url="/ja/agent/tickets/{ticket.pk}/articles/"' in page
    for key in ("r", "n", "c", "i", "u", "g q", "s", "p", "t", "a"):
        assert f'data-key="{key}"' in page, key
    assert "/static/tickets/console.js" in page
    assert 'id="console-keys"' in page
    # The article search's button comes first in the reply form, so Enter in its box searches.
    form = page[page.index(f'action="/ja/agent/tickets/{ticket.pk}/reply/"') :]
    assert form.index('value="find"') < form.index('value="canned"') < form.index("返信を送信")
    # Scripts and tests that look for the reply box's submit button still find Send.
    typed = form.index('type="submit"')
    assert form.index("返信を送信") - typed < 60
