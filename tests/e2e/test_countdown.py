"""The SLA countdown moves on in a real browser (Debian's chromium): a first response due in
40 seconds is shown as a warning, and once the page's clock has passed it, as breached, in the
page's language. Playwright's clock moves the time (on the ticket page: the queue fetches its
rows again from the server every minute, which knows nothing of the page's clock)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from madoguchi.tickets.models import Ticket
from tests.e2e.conftest import Desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNTDOWN = "[data-sla-countdown]"


def countdown_of(page: Any, scope: str) -> tuple[str, str, str]:
    """The countdown's state, classes and words."""
    node = page.locator(f"{scope} {COUNTDOWN}")
    return (
        node.get_attribute("data-sla-state") or "",
        node.get_attribute("class") or "",
        node.inner_text(),
    )


def test_a_countdown_turns_from_warning_to_breached_as_the_due_time_passes(
    payments_desk: Desk, session_page: Callable[..., Any], file_ticket: Callable[..., Ticket]
) -> None:
    base, agent = payments_desk.base, payments_desk.agent
    ticket = file_ticket(payments_desk.customer, subject="入金が反映されません")
    # Both sessions before the first page loads: signing in writes the session table, which the
    # shared in-memory SQLite database locks while the live server reads it for an open page.
    japanese = session_page(base, agent)
    english = session_page(base, agent)
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due_at=timezone.now() + timedelta(seconds=40)
    )

    japanese.clock.install()
    japanese.goto(f"{base}/ja/agent/tickets/{ticket.pk}/")
    english.clock.install()
    english.goto(f"{base}/en/agent/tickets/{ticket.pk}/")

    state, classes, words = countdown_of(japanese, ".agent-ticket__sla")
    assert state == "warning" and "badge--warning" in classes
    assert words == "初回応答: 残り1分未満"
    state, _, words = countdown_of(english, ".agent-ticket__sla")
    assert (state, words) == ("warning", "First response due in < 1 min")

    # Two ticks of the countdown: 30 s on, still ahead; 60 s on, 20 s past the due time.
    japanese.clock.run_for(30_000)
    assert countdown_of(japanese, ".agent-ticket__sla")[0] == "warning"
    japanese.clock.run_for(30_000)
    english.clock.run_for(60_000)

    state, classes, words = countdown_of(japanese, ".agent-ticket__sla")
    assert state == "breached"
    assert "sla-countdown--breached" in classes and "badge--danger" in classes
    assert "sla-countdown--warning" not in classes and "badge--warning" not in classes
    assert words == "初回応答: 1分未満超過"
    state, classes, words = countdown_of(english, ".agent-ticket__sla")
    assert state == "breached" and "badge--danger" in classes
    assert words == "First response breached < 1 min ago"

    # Two more minutes: the minutes count on.
    english.clock.run_for(120_000)
    assert countdown_of(english, ".agent-ticket__sla")[2] == ("First response breached 2 min ago")
