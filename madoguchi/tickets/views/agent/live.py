"""The parts of the ticket page that change, for the page's live updates (static/tickets/live.js).

The WebSocket only says that a ticket changed; the page then asks here, through the same door
as the ticket page, for the state line, the conversation (internal notes included: only people
who work on the ticket get past the door) and the history. `?since=S` answers 204 when the
history has nothing newer than S, so a page that catches up after a reconnect costs little.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from madoguchi.tickets.events import check_chain
from madoguchi.tickets.models import Attachment, TicketEvent
from madoguchi.tickets.permissions import access_ticket
from madoguchi.tickets.selectors import reply_deliveries, ticket_messages
from madoguchi.tickets.views.agent import presenting
from madoguchi.tickets.views.agent.access import agent_only

SEQUENCE_HEADER = "X-Ticket-Sequence"


def _since(request: HttpRequest) -> int:
    try:
        return max(0, int(request.GET.get("since", "0")))
    except ValueError:
        return 0


@require_GET
@never_cache
@agent_only
def ticket_parts(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    newest = (
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    ) or 0
    if newest <= _since(request):
        response = HttpResponse(status=204)
    else:
        events = list(ticket.events.order_by("sequence"))
        check = check_chain(ticket.pk, events)
        response = render(
            request,
            "tickets/agent/_live_parts.html",
            {
                "ticket": ticket,
                "conversation": presenting.conversation(
                    ticket_messages(ticket, include_internal=True).prefetch_related(
                        reply_deliveries()
                    ),
                    ticket,
                ),
                "loose_attachments": list(
                    Attachment.objects.filter(ticket=ticket, message__isnull=True)
                ),
                "history": presenting.history_lines(events),
                "history_ok": check.ok,
                "history_verdict": presenting.history_verdict(check),
            },
        )
        newest = events[-1].sequence if events else newest
    response[SEQUENCE_HEADER] = str(newest)
    return response
