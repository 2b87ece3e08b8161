"""Incident links from the ticket page: make an incident, link or unlink a report, and answer
every report of an incident at once. Each POST calls one service and redirects back (PRG)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from madoguchi.tickets.errors import TicketError
from madoguchi.tickets.models import Ticket
from madoguchi.tickets.permissions import access_ticket
from madoguchi.tickets.services.conversation import MAX_BODY_CHARS
from madoguchi.tickets.services.incidents import (
    IncidentError,
    link_to_incident,
    make_incident,
    reply_to_reports,
    unlink_from_incident,
)
from madoguchi.tickets.views.agent.access import agent_only
from madoguchi.tickets.views.agent.actions import ticket_url


class LinkForm(forms.Form):
    incident = forms.IntegerField(label=gettext_lazy("Incident ticket number"), min_value=1)


class IncidentReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Answer to every report"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_BODY_CHARS,
    )
    solve = forms.BooleanField(label=gettext_lazy("Mark them solved"), required=False)


def _back(ticket: Ticket) -> HttpResponse:
    return redirect(f"{ticket_url(ticket)}#links")


def _refused(request: HttpRequest, ticket: Ticket, message: str) -> HttpResponse:
    messages.error(request, message)
    return _back(ticket)


@require_POST
@agent_only
def make(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    try:
        make_incident(ticket=ticket, by=request.user)
    except IncidentError as error:
        return _refused(request, ticket, error.message)
    messages.success(request, _("This ticket is now an incident: link its reports to it."))
    return _back(ticket)


@require_POST
@agent_only
def link(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _refused(request, ticket, _("Enter the number of the incident ticket."))
    incident = access_ticket(request.user, form.cleaned_data["incident"])
    try:
        link_to_incident(ticket=ticket, incident=incident, by=request.user)
    except IncidentError as error:
        return _refused(request, ticket, error.message)
    messages.success(
        request, _("Linked to incident #%(id)s as one of its reports.") % {"id": incident.pk}
    )
    return _back(ticket)


@require_POST
@agent_only
def unlink(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    try:
        unlink_from_incident(ticket=ticket, by=request.user)
    except IncidentError as error:
        return _refused(request, ticket, error.message)
    messages.success(request, _("The ticket is no longer linked to the incident."))
    return _back(ticket)


@require_POST
@agent_only
def reply_all(request: HttpRequest, ticket_id: int) -> HttpResponse:
    incident = access_ticket(request.user, ticket_id)
    form = IncidentReplyForm(request.POST)
    if not form.is_valid():
        return _refused(request, incident, _("Write the answer for the reports."))
    try:
        outcome = reply_to_reports(
            incident=incident,
            body=form.cleaned_data["body"],
            by=request.user,
            solve=form.cleaned_data["solve"],
        )
    except (IncidentError, TicketError) as error:
        return _refused(request, incident, error.message)
    messages.success(
        request,
        _("The answer was sent to %(count)s tickets.") % {"count": len(outcome.answered)},
    )
    if outcome.not_yours:
        messages.warning(
            request,
            _("Not answered, because they belong to groups you do not work in: %(ids)s.")
            % {"ids": ", ".join(f"#{pk}" for pk in outcome.not_yours)},
        )
    for pk, reason in outcome.refused:
        messages.warning(request, f"#{pk}: {reason}")
    return _back(incident)
