"""The people a customer copied in: an agent stops copying one of them on the answers.

A POST per address from the ticket page (no JavaScript needed), then back to the ticket
(PRG). The removal and who made it are recorded in the history by the service.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.tickets import services
from madoguchi.tickets.forms import RemoveCopiedForm
from madoguchi.tickets.permissions import access_ticket
from madoguchi.tickets.views.agent.access import agent_only


@require_POST
@agent_only
def remove(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    back = reverse("tickets:agent_ticket", kwargs={"ticket_id": ticket.pk}) + "#copied"
    form = RemoveCopiedForm(request.POST)
    address = form.cleaned_data["email"].strip().casefold() if form.is_valid() else ""
    if address not in ticket.cc_emails:
        messages.error(request, _("That address is not copied on this ticket."))
        return redirect(back)
    services.remove_copied(ticket=ticket, email=address, by=request.user)
    messages.success(
        request, _("%(email)s no longer receives copies of the answers.") % {"email": address}
    )
    return redirect(back)
