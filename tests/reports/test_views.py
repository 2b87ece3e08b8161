"""The reports page and its CSV exports over HTTP: who sees what, the numbers, bad input."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from madoguchi.reports.forms import MAX_DAYS
from madoguchi.tickets.models import SupportGroup, Ticket
from madoguchi.tickets.services import add_agent_reply, assign_ticket
from tests.reports.conftest import PERIOD, Desk, jst

URL = "/ja/agent/reports/"
pytestmark = pytest.mark.django_db


def csv_rows(response: Any) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def lead_of(make_agent: Callable[..., Any], slug: str, name: str = "lead") -> Any:
    lead = make_agent(name, groups=(slug,))
    SupportGroup.objects.get(slug=slug).leads.add(lead)
    return lead


def test_an_administrator_sees_every_groups_figures(
    desk: Desk, admin_user: Any, login: Callable[[Any], Client]
) -> None:
    response = login(admin_user).get(URL, {**PERIOD, "by": "group"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "入出金サポート" in page
    assert "一般サポート" in page
    assert '<svg class="chart" id="chart-volume" role="img"' in page
    assert '<title id="chart-volume-title">' in page


def test_a_team_lead_sees_the_groups_they_lead_and_nothing_of_the_others(
    desk: Desk, make_agent: Callable[..., Any], login: Callable[[Any], Client]
) -> None:
    client = login(lead_of(make_agent, "payments"))
    for by in ("group", "agent", "channel", "problem_type"):
        response = client.get(URL, {**PERIOD, "by": by})
        assert response.status_code == 200
        page = response.content.decode()
        assert "一般サポート" not in page
        assert desk.general.email not in page
        exported = client.get(f"{URL}breakdown.csv", {**PERIOD, "by": by})
        assert exported.status_code == 200
        text = exported.content.decode()
        assert "一般サポート" not in text
        assert desk.general.email not in text
    rows = csv_rows(client.get(f"{URL}breakdown.csv", {**PERIOD, "by": "group"}))
    assert [row[:2] for row in rows[1:]] == [["入出金サポート", "2"], ["全体", "2"]]


def test_a_team_lead_cannot_choose_another_groups_report(
    desk: Desk, make_agent: Callable[..., Any], login: Callable[[Any], Client]
) -> None:
    client = login(lead_of(make_agent, "payments"))
    response = client.get(URL, {**PERIOD, "group": "general"})
    assert response.status_code == 400
    assert "一般サポート" not in response.content.decode()
    exported = client.get(f"{URL}breakdown.csv", {**PERIOD, "group": "general"})
    assert exported.status_code == 400
    assert "一般" not in exported.content.decode()


@pytest.mark.parametrize("who", ["agent", "customer", "editor"])
def test_everyone_else_gets_not_found(
    who: str,
    desk: Desk,
    customer: Any,
    make_agent: Callable[..., Any],
    login: Callable[[Any], Client],
) -> None:
    user = {
        "agent": lambda: desk.pay,
        "customer": lambda: customer,
        "editor": lambda: make_agent("editor", role="editor"),
    }[who]()
    client = login(user)
    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}breakdown.csv").status_code == 404


def test_a_visitor_is_sent_to_the_login(desk: Desk, login: Callable[[Any], Client]) -> None:
    response = login(None).get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_lead_without_a_second_factor_is_sent_to_set_one_up(
    make_agent: Callable[..., Any], login: Callable[[Any], Client]
) -> None:
    lead = make_agent("nototp", groups=("payments",), totp=False)
    SupportGroup.objects.get(slug="payments").leads.add(lead)
    response = login(lead).get(URL)
    assert response.status_code == 302
    assert "/reports/" not in response["Location"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-11-10", "to": "2026-11-01"}, "開始日が終了日より後になっています。"),
        ({"from": "2024-01-01", "to": "2026-11-10"}, f"{MAX_DAYS}日"),
        ({"from": "yesterday"}, "日付"),
        ({"from": "2026-02-30"}, "日付"),
        ({"to": "2999-01-01"}, "終了日が未来の日付です。"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "2000-01-01"),
        ({"by": "mood"}, "選択"),
        ({"from": "2026-11-01\x00", "to": "9" * 5000}, "日付"),
        ({"group": "<script>", "by": "agent"}, "正しく選択してください。"),
    ],
)
def test_bad_choices_get_a_clear_translated_error_not_a_failure(
    query: dict[str, str],
    message: str,
    admin_user: Any,
    login: Callable[[Any], Client],
) -> None:
    client = login(admin_user)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    exported = client.get(f"{URL}days.csv", query)
    assert exported.status_code == 400
    assert message in exported.content.decode()


def test_the_default_period_is_the_last_thirty_days(
    admin_user: Any, login: Callable[[Any], Client]
) -> None:
    client = login(admin_user)
    rows = csv_rows(client.get(f"{URL}days.csv"))
    assert len(rows) == 1 + 30
    today = timezone.localdate()
    assert rows[-1][0] == today.isoformat()
    page = client.get(URL).content.decode()
    assert f'name="to" value="{today.isoformat()}"' in page


def test_each_table_downloads_as_csv_with_a_byte_order_mark_for_excel(
    desk: Desk, admin_user: Any, login: Callable[[Any], Client]
) -> None:
    client = login(admin_user)
    days = client.get(f"{URL}days.csv", PERIOD)
    assert days["Content-Type"] == "text/csv; charset=utf-8"
    assert days["Content-Disposition"].startswith('attachment; filename="days-group-2026-11-01')
    assert days.content.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(days)
    assert rows[0] == ["日", "作成", "解決済み"]
    assert rows[2] == ["2026-11-02", "2", "0"]
    ratings = csv_rows(client.get(f"{URL}ratings.csv", PERIOD))
    assert ratings[1:] == [
        ["1", "0", "0.0"],
        ["2", "1", "50.0"],
        ["3", "0", "0.0"],
        ["4", "0", "0.0"],
        ["5", "1", "50.0"],
    ]
    breakdown = csv_rows(client.get(f"{URL}breakdown.csv", {**PERIOD, "by": "channel"}))
    total = breakdown[-1]
    assert total[0] == "全体"
    header = breakdown[0]
    figures = dict(zip(header, total, strict=True))
    assert figures["作成"] == "4"
    assert figures["初回応答の平均（時間）"] == "3.0"
    assert figures["解決までの中央値（時間）"] == "72.0"
    assert figures["初回応答SLA達成率（%）"] == "50.0"
    assert figures["記事で解決"] == "3"
    assert figures["記事による解決率（%）"] == "60.0"
    assert client.get(f"{URL}nothing.csv", PERIOD).status_code == 404


def test_a_group_name_that_looks_like_a_formula_is_exported_as_text(
    desk: Desk, admin_user: Any, login: Callable[[Any], Client]
) -> None:
    SupportGroup.objects.filter(slug="payments").update(name_ja='=HYPERLINK("http://x","y")')
    SupportGroup.objects.filter(slug="general").update(name_ja="-1+2")
    rows = csv_rows(login(admin_user).get(f"{URL}breakdown.csv", {**PERIOD, "by": "group"}))
    labels = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x","y")' in labels
    assert "'-1+2" in labels


def test_a_group_name_with_markup_is_shown_as_text_in_charts_and_tables(
    desk: Desk, admin_user: Any, login: Callable[[Any], Client]
) -> None:
    SupportGroup.objects.filter(slug="payments").update(name_ja="<script>alert(1)</script>")
    page = login(admin_user).get(URL, {**PERIOD, "by": "group"}).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("by", ["group", "agent", "channel", "problem_type"])
def test_the_page_costs_the_same_few_queries_however_many_tickets_there_are(
    by: str,
    desk: Desk,
    make_ticket: Callable[..., Any],
    make_agent: Callable[..., Any],
    login: Callable[[Any], Client],
) -> None:
    client = login(lead_of(make_agent, "payments"))
    query = {**PERIOD, "by": by}

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, query).status_code == 200
        return len(captured)

    client.get(URL, query)  # the first request of a connection sets it up (PostgreSQL)
    before = queries(URL), queries(f"{URL}breakdown.csv")
    for number in range(8):
        ticket = make_ticket(subject=f"追加{number}", channel=("web", "email")[number % 2])
        agent = make_agent(f"extra{number}", groups=("payments",))
        assign_ticket(ticket=ticket, assignee=agent, by=agent)
        add_agent_reply(ticket=ticket, body="確認いたします。", by=agent)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=jst(3 + number % 5, 9))
    assert (queries(URL), queries(f"{URL}breakdown.csv")) == before
    # The session, the user, the second factor and the console's header take the rest.
    assert max(before) <= 18


def test_a_lead_sees_only_the_deflections_of_their_groups_problem_types(
    desk: Desk, make_agent: Callable[..., Any], login: Callable[[Any], Client]
) -> None:
    client = login(lead_of(make_agent, "general"))
    rows = csv_rows(client.get(f"{URL}breakdown.csv", {**PERIOD, "by": "problem_type"}))
    header = rows[0]
    deflections = {row[0]: row[header.index("記事で解決")] for row in rows[1:]}
    assert deflections == {"その他": "1", "全体": "1"}


def test_the_page_is_in_english_under_en(
    desk: Desk, admin_user: Any, login: Callable[[Any], Client]
) -> None:
    page = login(admin_user).get("/en/agent/reports/", PERIOD).content.decode()
    assert "Tickets created per day" in page
    assert "Deposits and withdrawals" in page


def test_the_console_header_links_administrators_to_the_reports(
    admin_user: Any, login: Callable[[Any], Client]
) -> None:
    page = login(admin_user).get("/ja/agent/tickets/").content.decode()
    assert f'href="{URL}"' in page
