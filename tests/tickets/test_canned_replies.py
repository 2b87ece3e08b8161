"""Canned replies (madoguchi.tickets.canned and their admin): which are offered on a ticket, in
its language, with the placeholders filled and nothing else, and the admin's placeholder check."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from madoguchi.tickets.canned import PLACEHOLDERS, fill, unknown_placeholders
from madoguchi.tickets.models import CannedReply, SupportGroup, Ticket

pytestmark = pytest.mark.django_db

Login = Callable[[Any], Client]
MakeTicket = Callable[..., Ticket]
BASE = "https://support.tsukimi.example"


@pytest.fixture(autouse=True)
def base_url(settings: Any) -> None:
    settings.MADOGUCHI_BASE_URL = BASE


def canned(title: str, *, group: str | None = None, **fields: Any) -> CannedReply:
    values: dict[str, Any] = {
        "body_ja": f"{title}（日本語）",
        "body_en": f"{title} (English)",
    }
    values.update(fields)
    return CannedReply.objects.create(
        title=title,
        group=SupportGroup.objects.get(slug=group) if group else None,
        **values,
    )


def ticket_url(ticket: Ticket, language: str = "ja") -> str:
    return f"/{language}/agent/tickets/{ticket.pk}/"


def offered(client: Client, ticket: Ticket) -> dict[str, str]:
    """The canned replies the ticket page offers: title -> the text it inserts."""
    page = client.get(ticket_url(ticket)).content.decode()
    options = re.findall(r'<option value="\d+" data-insert="([^"]*)">([^<]*)</option>', page)
    return {html.unescape(title): html.unescape(text) for text, title in options}


def insert(client: Client, ticket: Ticket, reply: CannedReply, draft: str = "") -> str:
    """Insert a canned reply without JavaScript; the draft the page comes back with."""
    response = client.post(
        f"/ja/agent/tickets/{ticket.pk}/compose/",
        {"body": draft, "status": "pending", "canned": str(reply.pk), "composer": "canned"},
    )
    assert response.status_code == 200
    found = re.search(
        r'<textarea name="body"[^>]*>\n?(.*?)</textarea>', response.content.decode(), re.S
    )
    assert found, "no reply box"
    return html.unescape(found[1])


def test_a_ticket_offers_its_groups_replies_and_the_global_ones_never_another_groups(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()  # a deposit: the payments group
    canned("入金の確認", group="payments")
    canned("お礼")
    canned("不正ログインの手順", group="security")
    canned("古い定型文", is_active=False)
    assert set(offered(login(payments_agent), ticket)) == {"入金の確認", "お礼"}


def test_another_groups_reply_cannot_be_inserted_by_its_id(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()
    other = canned("不正ログインの手順", group="security", body_ja="セキュリティ班の内部手順")
    response = login(payments_agent).post(
        f"/ja/agent/tickets/{ticket.pk}/compose/",
        {"body": "下書き", "status": "pending", "canned": str(other.pk), "composer": "canned"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "セキュリティ班の内部手順" not in page
    assert "この問い合わせで使える定型文から選んでください" in page
    assert "下書き" in page


def test_the_tickets_language_picks_the_text(
    general_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    reply = canned("お礼", body_ja="ありがとうございます。", body_en="Thank you.")
    japanese = make_ticket(problem_type="account", language="ja")
    english = make_ticket(problem_type="account", language="en", subject="Cannot log in")
    client = login(general_agent)
    assert insert(client, japanese, reply) == "ありがとうございます。"
    assert insert(client, english, reply) == "Thank you."


def test_every_placeholder_is_filled_for_the_ticket_and_the_agent(
    make_agent: Callable[..., Any], make_ticket: MakeTicket, login: Login
) -> None:
    agent = make_agent("sato", groups=("general",))
    agent.first_name, agent.last_name = "Hanako", "Sato"
    agent.save(update_fields=["first_name", "last_name"])
    ticket = make_ticket(problem_type="account", language="en", subject="Cannot log in")
    Ticket.objects.filter(pk=ticket.pk).update(requester_name="Taro Yamada")
    reply = canned(
        "All",
        body_en=" | ".join(f"{{{name}}}" for name in PLACEHOLDERS),
    )
    text = insert(login(agent), ticket, reply)
    assert text == (
        f"Taro Yamada | {ticket.pk} | Cannot log in | Hanako Sato"
        f" | {BASE}/en/support/tickets/{ticket.pk}/ | {ticket.group.name_en}"
    )


def test_in_japanese_the_name_takes_sama_and_a_missing_one_becomes_okyakusama(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    named = make_ticket()
    Ticket.objects.filter(pk=named.pk).update(requester_name="山田 太郎")
    nameless = make_ticket(subject="別件", body="別の問い合わせです。")
    reply = canned(
        "挨拶", body_ja="{customer_name}、お問い合わせありがとうございます。{agent_name}です。"
    )
    client = login(payments_agent)
    assert (
        insert(client, named, reply)
        == "山田 太郎 様、お問い合わせありがとうございます。サポート担当です。"
    )
    assert insert(client, nameless, reply).startswith("お客様、")


def test_a_visitors_ticket_url_is_the_signed_link_their_mail_carries(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket(customer_id=None, sender_email="visitor@example.com")
    reply = canned("リンク", body_ja="{ticket_url}")
    text = insert(login(payments_agent), ticket, reply)
    assert text.startswith(f"{BASE}/ja/support/access/")
    visitor = Client()
    response = visitor.get(text.removeprefix(BASE), follow=True)
    assert response.status_code == 200
    assert ticket.subject in response.content.decode()


def test_placeholders_cannot_reach_attributes_or_fill_twice(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(requester_name="{agent_name} {ticket_url}")
    hostile = (
        "{ticket.__class__} {0} {ticket_id.__init__} {customer_name.__class__.__mro__} "
        "{{ticket_id}} %s {} {customer_name}"
    )
    # Written past the admin's check, as a database row could be.
    reply = canned("罠", body_ja=hostile)
    text = insert(login(payments_agent), ticket, reply)
    assert text == (
        "{ticket.__class__} {0} {ticket_id.__init__} {customer_name.__class__.__mro__} "
        f"{{{ticket.pk}}} %s {{}} {{agent_name}} {{ticket_url}} 様"
    )
    assert "<class" not in text and "Ticket" not in text


def test_an_unknown_placeholder_stays_visible_in_the_draft() -> None:
    assert fill("{customer_nme}様 {ticket_id}", {"ticket_id": "7"}) == "{customer_nme}様 7"


def test_the_page_escapes_a_hostile_canned_reply_and_a_hostile_customer_name(
    payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(requester_name='"><script>alert(1)</script>')
    canned("<img src=x onerror=alert(1)>", body_ja='{customer_name}"><script>alert(2)</script>')
    page = login(payments_agent).get(ticket_url(ticket)).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert offered(login(payments_agent), ticket) == {
        "<img src=x onerror=alert(1)>": '"><script>alert(1)</script> 様"><script>alert(2)</script>'
    }


def test_the_offered_replies_cost_one_query_however_many_there_are(
    payments_agent: Any,
    make_ticket: MakeTicket,
    login: Login,
    django_assert_max_num_queries: Any,
) -> None:
    ticket = make_ticket()
    client = login(payments_agent)
    client.get(ticket_url(ticket))
    with django_assert_max_num_queries(40) as few:
        client.get(ticket_url(ticket))
    for number in range(25):
        canned(f"定型文 {number}", group="payments" if number % 2 else None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(ticket_url(ticket))
    assert response.content.decode().count("data-insert=") == 25


# ---- the admin ----------------------------------------------------------------------------


def admin_post(**changes: str) -> dict[str, str]:
    data = {
        "title": "入金の確認",
        "shortcut": "deposit",
        "group": str(SupportGroup.objects.get(slug="payments").pk),
        "body_ja": "{customer_name}、入金を確認いたしました。",
        "body_en": "Dear {customer_name}, your deposit has arrived.",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_an_admin_saves_a_canned_reply_with_known_placeholders(
    admin_user: Any, login: Login
) -> None:
    response = login(admin_user).post("/en/admin/tickets/cannedreply/add/", admin_post())
    assert response.status_code == 302
    reply = CannedReply.objects.get()
    assert reply.group is not None and reply.group.slug == "payments"
    assert reply.body_en == "Dear {customer_name}, your deposit has arrived."


def test_the_admin_lists_the_placeholders_next_to_the_text(admin_user: Any, login: Login) -> None:
    page = login(admin_user).get("/en/admin/tickets/cannedreply/add/").content.decode()
    for name in PLACEHOLDERS:
        assert f"<code>{{{name}}}</code>" in page


def test_the_admin_refuses_unknown_placeholders_with_a_clear_error(
    admin_user: Any, login: Login
) -> None:
    response = login(admin_user).post(
        "/ja/admin/tickets/cannedreply/add/",
        admin_post(body_ja="{customer_nmae}様 {ticket.__class__}", body_en="{0} {Ticket_ID}"),
    )
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert not CannedReply.objects.exists()
    assert "不明なプレースホルダー: {customer_nmae}, {ticket.__class__}" in page
    assert "不明なプレースホルダー: {0}, {Ticket_ID}" in page


def test_unknown_placeholders_are_each_named_once() -> None:
    assert unknown_placeholders("{a} {ticket_id} {a} {b c} {} {{x}}") == ["{a}", "{b c}", "{x}"]


def test_agents_cannot_open_the_canned_reply_admin(payments_agent: Any, login: Login) -> None:
    response = login(payments_agent).get("/en/admin/tickets/cannedreply/")
    assert response.status_code in (302, 403, 404)


def test_the_demo_canned_replies_use_only_known_placeholders_and_load_once() -> None:
    from madoguchi.demo.canned import DEMO_CANNED_REPLIES, load_demo_canned_replies

    for demo in DEMO_CANNED_REPLIES:
        assert unknown_placeholders(demo.body_ja) == unknown_placeholders(demo.body_en) == []
    assert load_demo_canned_replies() == len(DEMO_CANNED_REPLIES)
    assert load_demo_canned_replies() == 0
    assert set(CannedReply.objects.values_list("group__slug", flat=True)) == {
        None,
        "payments",
        "security",
    }
