"""Searching tickets from the queue: words of the subject and the conversation (internal notes
included), the requester's email or user ID, a TxID or an address, or a ticket number."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from madoguchi.search.errors import QueryError
from madoguchi.tickets import selectors
from madoguchi.tickets.forms import QueueSearchForm
from madoguchi.tickets.views.agent.access import agent_only, groups_of


@require_GET
@agent_only
def search_tickets(request: HttpRequest) -> HttpResponse:
    form = QueueSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    hits: list[selectors.TicketHit] = []
    error = ""
    if query:
        locale = "en" if (translation.get_language() or "").startswith("en") else "ja"
        try:
            hits = selectors.search_tickets(
                request.user, query, locale=locale, groups=list(groups_of(request.user))
            )
        except QueryError as problem:
            error = problem.message
    return render(
        request,
        "tickets/agent/search.html",
        {"form": form, "query": query, "hits": hits, "error": error},
        status=400 if error else 200,
    )
