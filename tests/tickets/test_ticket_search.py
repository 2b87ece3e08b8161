"""Searching tickets from the agent console, and keeping tickets out of every public search."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from madoguchi import intake
from madoguchi.intake.inbound import InboundMessage
from madoguchi.search.query import autocomplete, search
from madoguchi.tickets import services
from madoguchi.tickets.models import Ticket

MakeTicket = Callable[..., Ticket]
Login = Callable[[Any], Client]
SEARCH = "/en/agent/tickets/search/"
TXID = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"


@pytest.fixture
def indexed(django_capture_on_commit_callbacks: Any, make_ticket: MakeTicket) -> MakeTicket:
    """`make_ticket`, with the ticket indexed the way it is in production: after commit."""

    def make(**changes: Any) -> Ticket:
        with django_capture_on_commit_callbacks(execute=True):
            return make_ticket(**changes)

    return make


def hit_ids(response: Any) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-ticket="(\d+)"', response.content.decode())]


def test_a_japanese_query_finds_the_ticket_by_its_subject_and_message(
    payments_agent: Any, indexed: MakeTicket, login: Login
) -> None:
    ticket = indexed(subject="出金が反映されません", body="昨日ETHを出金しましたが届いていません。")
    indexed(subject="入金の確認", body="入金の状況を教えてください。")
    client = login(payments_agent)
    assert hit_ids(client.get(SEARCH, {"q": "出金"})) == [ticket.pk]
    assert ticket.pk in hit_ids(client.get(SEARCH, {"q": "届いていない"}))


def test_an_english_query_finds_the_ticket_in_english(
    payments_agent: Any, indexed: MakeTicket, login: Login
) -> None:
    ticket = indexed(
        subject="Withdrawal not received", body="My USDT withdrawal is missing.", language="en"
    )
    response = login(payments_agent).get(SEARCH, {"q": "withdrawals"})
    assert hit_ids(response) == [ticket.pk]
    assert "<mark>" in response.content.decode()


def test_a_ticket_is_found_by_email_user_id_txid_and_number(
    payments_agent: Any, customer: Any, indexed: MakeTicket, login: Login
) -> None:
    ticket = indexed(
        external_user_id="U48213377",
        fields={"coin": "BTC", "network": "BTC", "amount": "0.5", "txid": TXID},
    )
    client = login(payments_agent)
    for query in (customer.email, "U48213377", TXID, f"#{ticket.pk}", str(ticket.pk)):
        assert ticket.pk in hit_ids(client.get(SEARCH, {"q": query})), query


def test_internal_notes_and_later_replies_are_searchable_after_commit(
    payments_agent: Any,
    indexed: MakeTicket,
    login: Login,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ticket = indexed()
    client = login(payments_agent)
    assert hit_ids(client.get(SEARCH, {"q": "チェーン分析"})) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.add_internal_note(
            ticket=ticket, body="チェーン分析の結果を待つ", by=payments_agent
        )
    assert hit_ids(client.get(SEARCH, {"q": "チェーン分析"})) == [ticket.pk]


def test_one_transaction_indexes_a_ticket_once(
    payments_agent: Any, indexed: MakeTicket, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = indexed()
    with django_capture_on_commit_callbacks() as callbacks:
        # A reply records two history entries (the message and the status) in one transaction.
        services.add_agent_reply(ticket=ticket, body="確認します", by=payments_agent)
    assert len([c for c in callbacks if type(c).__name__ == "_IndexAfterCommit"]) == 1


def test_another_groups_ticket_is_never_found(
    payments_agent: Any, general_agent: Any, indexed: MakeTicket, login: Login
) -> None:
    theirs = indexed(problem_type="login", subject="ログインできません 秘密の件", fields={})
    mine = indexed(subject="入金 秘密の件")
    assert hit_ids(login(payments_agent).get(SEARCH, {"q": "秘密"})) == [mine.pk]
    assert hit_ids(login(general_agent).get(SEARCH, {"q": "秘密"})) == [theirs.pk]
    # Not by its number either.
    assert hit_ids(login(payments_agent).get(SEARCH, {"q": f"#{theirs.pk}"})) == []


def test_a_ticket_moved_to_another_group_leaves_the_old_groups_results(
    payments_agent: Any,
    indexed: MakeTicket,
    login: Login,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from madoguchi.tickets.models import SupportGroup

    ticket = indexed(subject="移動するチケット")
    with django_capture_on_commit_callbacks(execute=True):
        services.move_to_group(
            ticket=ticket, group=SupportGroup.objects.get(slug="general"), by=payments_agent
        )
    assert hit_ids(login(payments_agent).get(SEARCH, {"q": "移動"})) == []


def test_an_unconfirmed_visitors_ticket_is_not_found(
    payments_agent: Any, indexed: MakeTicket, login: Login
) -> None:
    indexed(subject="未確認の問い合わせ", customer_id=None, email_verified=False)
    assert hit_ids(login(payments_agent).get(SEARCH, {"q": "未確認"})) == []


def test_an_administrator_finds_tickets_of_every_group(
    admin_user: Any, indexed: MakeTicket, login: Login
) -> None:
    a = indexed(subject="共通の言葉 入金")
    b = indexed(problem_type="login", subject="共通の言葉 ログイン", fields={})
    assert set(hit_ids(login(admin_user).get(SEARCH, {"q": "共通"}))) == {a.pk, b.pk}


@pytest.mark.parametrize("query", ["", "   ", "!!!", "x" * 10_000, "<script>", "\x00"])
def test_an_empty_or_odd_query_answers_without_an_error(
    query: str, payments_agent: Any, indexed: MakeTicket, login: Login
) -> None:
    indexed()
    response = login(payments_agent).get(SEARCH, {"q": query})
    assert response.status_code in (200, 400)
    assert "<script>" not in response.content.decode()


def test_customers_and_visitors_cannot_search_tickets(
    customer: Any, indexed: MakeTicket, login: Login
) -> None:
    indexed(subject="出金が反映されません")
    assert login(customer).get(SEARCH, {"q": "出金"}).status_code == 404
    assert login(None).get(SEARCH, {"q": "出金"}).status_code == 302


def test_the_search_takes_the_same_few_queries_for_many_hits(
    payments_agent: Any,
    indexed: MakeTicket,
    login: Login,
    django_assert_max_num_queries: Any,
) -> None:
    for number in range(20):
        indexed(subject=f"出金 {number}")
    client = login(payments_agent)
    client.get(SEARCH, {"q": "出金"})
    # The search service's own queries (statistics, synonyms, count, candidates, documents,
    # facets; PostgreSQL adds a SET LOCAL before each index scan), then one for the tickets:
    # the same number for 20 hits as for 2.
    with django_assert_max_num_queries(24):
        response = client.get(SEARCH, {"q": "出金"})
    assert len(hit_ids(response)) == 20


# ---- public search never shows tickets ----------------------------------------------------


def test_a_ticket_appears_in_no_public_search_suggestion_or_autocomplete(
    indexed: MakeTicket, client: Client
) -> None:
    ticket = indexed(subject="Zqxwithdrawal secretword", body="zqxsecret", language="en")
    # The ticket is in the index: only a search that names the ticket type finds it.
    assert search("secretword", locale="en", types=("ticket",), log=False).total == 1
    assert search("secretword", locale="en", log=False).total == 0
    assert autocomplete("secretw", locale="en") == []
    assert autocomplete("Zqxwith", locale="en") == []
    for url, query in (
        ("/en/search/", {"q": "secretword"}),
        ("/ja/search/", {"q": "secretword"}),
        ("/api/v1/search", {"q": "secretword", "locale": "en"}),
        ("/api/v1/search/autocomplete", {"q": "secretw", "locale": "en"}),
        ("/api/v1/search/autocomplete", {"q": "Zqxwith", "locale": "en"}),
        ("/en/support/suggest/", {"q": "secretword zqxsecret"}),
    ):
        body = client.get(url, query).content.decode()
        assert "Zqxwithdrawal" not in body, url
        assert f"/agent/tickets/{ticket.pk}/" not in body, url


def test_a_customers_words_never_become_a_public_did_you_mean(
    indexed: MakeTicket, client: Client
) -> None:
    # Only the ticket holds this rare name; a misspelt search must not be corrected to it.
    indexed(subject="Kurobane Tsukishiro", body="Kurobane", language="en")
    found = search("Kurobaneh", locale="en", log=False)
    assert not found.suggestion or "kurobane" not in found.suggestion.casefold()


def test_a_ticket_search_is_not_logged_for_help_center_editors(
    payments_agent: Any, indexed: MakeTicket, login: Login
) -> None:
    from madoguchi.search.models import SearchQuery

    indexed()
    login(payments_agent).get(SEARCH, {"q": "hanako@example.jp"})
    assert not SearchQuery.objects.exists()


def test_a_reply_from_the_customer_is_indexed(
    payments_agent: Any,
    customer: Any,
    indexed: MakeTicket,
    login: Login,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ticket = indexed()
    with django_capture_on_commit_callbacks(execute=True):
        intake.receive(
            InboundMessage(
                channel="web",
                ticket_id=ticket.pk,
                customer_id=customer.pk,
                sender_email=customer.email,
                email_verified=True,
                body="追加の情報: ウォレットはメタマスクです",
            )
        )
    assert hit_ids(login(payments_agent).get(SEARCH, {"q": "メタマスク"})) == [ticket.pk]


def test_a_full_rebuild_of_the_index_brings_tickets_back(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    from madoguchi.search.services import rebuild_index

    ticket = make_ticket(subject="再構築のテスト")
    assert hit_ids(login(payments_agent).get(SEARCH, {"q": "再構築"})) == []
    rebuild_index()
    assert hit_ids(login(payments_agent).get(SEARCH, {"q": "再構築"})) == [ticket.pk]
