"""What an agent does to a ticket: each POST calls one service and redirects back (PRG).

A refused action shows the ticket again with the form as it was sent and the reason, so a
long reply is never lost to an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.tickets import services
from madoguchi.tickets.errors import TicketError, TicketErrorCode
from madoguchi.tickets.forms import NoteForm, PriorityForm, ReplyForm, StatusForm, TagsForm
from madoguchi.tickets.models import Ticket
from madoguchi.tickets.permissions import access_ticket
from madoguchi.tickets.views.agent.access import agent_only
from madoguchi.tickets.views.agent.ticket import assign_form, render_ticket


def closed_message() -> str:
    return _("This ticket is closed: nothing more can be added to it.")


def error_message(error: TicketError) -> str:
    # The service's wording for a closed ticket speaks to customers; agents get their own.
    return closed_message() if error.code == TicketErrorCode.CLOSED else error.message


def _refused(
    request: HttpRequest, ticket: Ticket, name: str, form: forms.Form, message: str = ""
) -> HttpResponse:
    if message:
        form.add_error(None, message)
    # Fresh from the database: the refusal may come from a change made meanwhile.
    ticket = access_ticket(request.user, ticket.pk)
    return render_ticket(request, ticket, status=400, **{name: form})


def _act(
    request: HttpRequest,
    ticket: Ticket,
    name: str,
    form: forms.Form,
    action: Callable[[], Any],
    done: str,
    *,
    anchor: str,
) -> HttpResponse:
    if not form.is_valid():
        return _refused(request, ticket, name, form)
    try:
        action()
    except TicketError as error:
        return _refused(request, ticket, name, form, error_message(error))
    messages.success(request, done)
    return redirect(f"{ticket_url(ticket)}#{anchor}")


def ticket_url(ticket: Ticket) -> str:
    return reverse("tickets:agent_ticket", kwargs={"ticket_id": ticket.pk})


@require_POST
@agent_only
def reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    form = ReplyForm(request.POST)
    return _act(
        request,
        ticket,
        "reply_form",
        form,
        lambda: services.add_agent_reply(
            ticket=ticket,
            body=form.cleaned_data["body"],
            status=form.cleaned_data["status"],
            by=request.user,
        ),
        _("Your reply was added to the conversation."),
        anchor="conversation",
    )


@require_POST
@agent_only
def note(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    form = NoteForm(request.POST)
    return _act(
        request,
        ticket,
        "note_form",
        form,
        lambda: services.add_internal_note(
            ticket=ticket, body=form.cleaned_data["body"], by=request.user
        ),
        _("Your note was added. The customer does not see it."),
        anchor="conversation",
    )


@require_POST
@agent_only
def change_status(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    form = StatusForm(request.POST)
    return _act(
        request,
        ticket,
        "status_form",
        form,
        lambda: services.change_status(
            ticket=ticket, status=form.cleaned_data["status"], by=request.user
        ),
        _("The status was changed."),
        anchor="actions",
    )


@require_POST
@agent_only
def change_priority(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    form = PriorityForm(request.POST)
    return _act(
        request,
        ticket,
        "priority_form",
        form,
        lambda: services.change_priority(
            ticket=ticket, priority=form.cleaned_data["priority"], by=request.user
        ),
        _("The priority was changed."),
        anchor="actions",
    )


@require_POST
@agent_only
def assign(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    form = assign_form(ticket, request.user, request.POST)
    return _act(
        request,
        ticket,
        "assign_form",
        form,
        lambda: services.assign_ticket(ticket=ticket, assignee=form.chosen(), by=request.user),
        _("The assignee was changed."),
        anchor="actions",
    )


@require_POST
@agent_only
def tags(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    form = TagsForm(request.POST)
    return _act(
        request,
        ticket,
        "tags_form",
        form,
        lambda: services.set_tags(ticket=ticket, tags=form.tag_list(), by=request.user),
        _("The tags were saved."),
        anchor="actions",
    )
