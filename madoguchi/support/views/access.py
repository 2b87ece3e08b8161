"""Visitors without an account reach their ticket through signed links mailed to them.

Opening a link grants the session that one ticket; `granted_tickets` is what
`madoguchi.tickets.permissions` calls `granted`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from madoguchi.tickets.confirmation import ticket_for_access, ticket_for_confirmation
from madoguchi.tickets.models import Ticket
from madoguchi.tickets.services import confirm_requester_email

SESSION_KEY = "madoguchi.tickets.granted"
MAX_GRANTS = 50


def granted_tickets(request: HttpRequest) -> frozenset[int]:
    value = request.session.get(SESSION_KEY, []) if hasattr(request, "session") else []
    return frozenset(int(pk) for pk in value if isinstance(pk, int))


def grant_ticket(request: HttpRequest, ticket: Ticket) -> None:
    grants = [pk for pk in request.session.get(SESSION_KEY, []) if pk != ticket.pk]
    request.session[SESSION_KEY] = [*grants[-(MAX_GRANTS - 1) :], ticket.pk]


@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST confirms: mail scanners that open links must not confirm for the owner."""
    ticket = ticket_for_confirmation(token)
    if ticket is None:
        return render(request, "support/link_invalid.html", status=404)
    if request.method == "POST":
        confirm_requester_email(ticket=ticket)
        grant_ticket(request, ticket)
        return redirect("support:ticket", ticket_id=ticket.pk)
    return render(request, "support/confirm_email.html", {"ticket": ticket})


@require_GET
def visitor_access(request: HttpRequest, token: str) -> HttpResponse:
    ticket = ticket_for_access(token)
    if ticket is None:
        return render(request, "support/link_invalid.html", status=404)
    grant_ticket(request, ticket)
    return redirect("support:ticket", ticket_id=ticket.pk)
