"""`madoguchi load-demo`: the shipped demo content loads whole, twice without change."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from madoguchi.helpcenter.demo_loader import DEMO_DIR, load_demo_content
from madoguchi.helpcenter.models import Article, Category, Guide, Section, Status
from tests.helpcenter.conftest import SMALL_GUIDE

pytestmark = pytest.mark.django_db


def test_the_shipped_demo_loads_without_problems_and_again_without_change() -> None:
    out = StringIO()
    with translation.override("en"):
        call_command("load_demo", stdout=out, stderr=out)
    first = out.getvalue()
    assert "demo@tsukimi.example" in first and "editor@tsukimi.example" in first
    articles = Article.objects.count()
    assert articles > 0
    assert not Article.objects.exclude(status=Status.PUBLISHED).exists()
    for locale in ("ja", "en"):
        assert Guide.objects.filter(locale=locale, status=Status.PUBLISHED).exists()
    assert set(Category.objects.values_list("slug", flat=True)) >= {
        "account",
        "security",
        "trading",
        "deposits-withdrawals",
        "fees",
        "verification",
    }
    # Every article with a translation_of found its partner, both ways.
    for article in Article.objects.filter(translation__isnull=False).select_related("translation"):
        assert article.translation is not None
        assert article.translation.translation_id == article.pk

    again = StringIO()
    with translation.override("en"):
        call_command("load_demo", stdout=again, stderr=again)
    assert f"0 created, 0 updated, {articles} unchanged" in again.getvalue()
    assert "already exists" in again.getvalue()
    assert Article.objects.count() == articles
    editor = get_user_model().objects.get(email="editor@tsukimi.example")
    assert editor.is_staff and editor.role == "editor"


def test_the_demo_sections_have_names_in_both_languages() -> None:
    load_demo_content(DEMO_DIR)
    for section in Section.objects.all():
        assert section.name_ja and section.name_en
        # A Japanese name written in Latin letters only is a fallback, not a translation.
        assert not section.name_ja.isascii(), section.slug


def test_a_small_demo_folder_with_a_guide_pair_loads_and_links(tmp_path: Path) -> None:
    (tmp_path / "articles" / "en").mkdir(parents=True)
    (tmp_path / "articles" / "en" / "hello.md").write_text(
        "---\ntitle: Hello\nlocale: en\ncategory: account\nslug: hello\nsection: login\n---\nHi.\n",
        encoding="utf-8",
    )
    (tmp_path / "guides").mkdir()
    (tmp_path / "guides" / "cannot-log-in.en.yaml").write_text(
        SMALL_GUIDE.format(locale="en", title="I cannot log in"), encoding="utf-8"
    )
    (tmp_path / "guides" / "cannot-log-in.ja.yaml").write_text(
        SMALL_GUIDE.format(locale="ja", title="ログインできない"), encoding="utf-8"
    )
    (tmp_path / "guides" / "broken.en.yaml").write_text("slug: broken\n", encoding="utf-8")
    report = load_demo_content(tmp_path)
    assert report.articles.created == 1
    assert report.guides_saved == 2
    assert any(p.startswith("broken.en.yaml: ") for p in report.guide_problems)
    en = Guide.objects.get(locale="en")
    assert en.translation is not None and en.translation.locale == "ja"
    section = Section.objects.get(slug="login")
    assert (section.name_ja, section.name_en) == ("ログイン", "Logging in")


def test_the_demo_has_tickets_for_the_agent_page_and_sends_them_once() -> None:
    from madoguchi.tickets.events import verify_history
    from madoguchi.tickets.models import Priority, Status, Ticket

    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    tickets = Ticket.objects.select_related("group")
    assert tickets.count() == 6
    assert all(ticket.is_confirmed for ticket in tickets)
    takeover = tickets.get(subject="身に覚えのないログインがありました")
    assert (takeover.priority, takeover.group.slug) == (Priority.URGENT, "security")
    phishing = tickets.get(subject="サポートを名乗るDMについて")
    assert any(flag["kind"] == "lookalike_link" for flag in phishing.safety_flags)
    leaked = tickets.get(subject="出金が届きません")
    assert "sausage" not in "".join(leaked.messages.values_list("body", flat=True))
    deposit = tickets.get(subject="BTCの入金が反映されません")
    assert deposit.attachments.get().content_type == "image/png"
    rated = tickets.get(status=Status.SOLVED)
    assert rated.csat_rating == 5 and rated.first_response_at is not None
    assert all(verify_history(ticket).ok for ticket in tickets)

    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    assert Ticket.objects.count() == 6


def test_the_demo_routing_rules_apply_to_the_demo_tickets() -> None:
    from madoguchi.tickets.models import Priority, RoutingRule, Ticket

    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    assert RoutingRule.objects.count() == 2
    tickets = Ticket.objects.select_related("group")
    # The English lost-2FA request is tagged by the English rule but stays with security.
    english = tickets.get(language="en")
    assert (english.group.slug, english.priority) == ("security", Priority.URGENT)
    assert list(english.tags.values_list("name", flat=True)) == ["english"]
    # The deposit told the exchange the customer is a VIP: the trading question after it is
    # high (the security problems in between stay urgent).
    trading = tickets.get(subject="指値注文が出せません")
    assert trading.priority == Priority.HIGH
    assert trading.events.filter(kind="rule_applied").exists()
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    assert RoutingRule.objects.count() == 2
