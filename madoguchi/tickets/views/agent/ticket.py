"""One ticket as an agent sees it: the customer, the safety flags, the conversation with internal
notes, the files, the verified history, and a form for each thing the agent can do."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from madoguchi.accounts.models import Role
from madoguchi.tickets.canned import filled_replies
from madoguchi.tickets.catalogue import PROBLEM_TYPES, problem_type
from madoguchi.tickets.events import check_chain
from madoguchi.tickets.files import attachment_response
from madoguchi.tickets.forms import (
    AssignForm,
    NoteForm,
    PriorityForm,
    ReplyForm,
    StatusForm,
    TagsForm,
)
from madoguchi.tickets.models import Attachment, ProblemField, Status, Ticket
from madoguchi.tickets.permissions import (
    access_attachment,
    access_ticket,
    can_add_note,
    can_change_status,
    can_reply_as_agent,
    reply_reserved_for_assignee,
)
from madoguchi.tickets.selectors import earlier_tickets, reply_deliveries, ticket_messages
from madoguchi.tickets.views.agent import presenting
from madoguchi.tickets.views.agent.access import agent_only


def group_agents(ticket: Ticket) -> QuerySet[Any]:
    """The people a ticket can be assigned to: active agents and administrators of its group."""
    users = get_user_model().objects.filter(is_active=True, role__in=(Role.AGENT, Role.ADMIN))
    if ticket.group_id is None:
        return users.none()
    return users.filter(support_groups=ticket.group_id).order_by("email")


def assign_form(ticket: Ticket, user: Any, data: Any = None) -> AssignForm:
    form = AssignForm(data, members=group_agents(ticket), user=user)
    if data is None:
        form.initial["assignee"] = (
            "me" if ticket.assignee_id == user.pk else str(ticket.assignee_id or "")
        )
    return form


def form_fields(ticket: Ticket) -> list[ProblemField]:
    """The fields of the ticket's form, in form order: from this process's copy of the problem
    types when one is kept (catalogue.py; no query), else read."""
    if ticket.problem_type is None:
        return []
    if PROBLEM_TYPES.enabled():
        kept = problem_type(ticket.problem_type.slug)
        if kept is not None:
            return list(kept.fields.all())
    return list(ticket.problem_type.fields.all())


def render_ticket(
    request: HttpRequest, ticket: Ticket, *, status: int = 200, **bound: Any
) -> HttpResponse:
    """The ticket page; `bound` holds a form that was refused, shown with its input and errors.

    Its queries, besides the session, the user, their second factor, their groups
    (permissions.desk_of) and the ticket itself (access_ticket): the problem type's fields
    (none while the process keeps its copy of the problem types), the history (read once, for
    the lines and the chain's check), the group's agents, the tags, the messages with their
    authors, the copies of the replies and how their sending went, every file of the ticket,
    the earlier tickets (at most selectors.EARLIER_TICKETS), the canned replies and the
    tickets merged into this one. None of them grows with the
    conversation (tests/tickets/test_agent_views.py counts them).
    """
    user = request.user
    fields = form_fields(ticket)
    events = list(ticket.events.order_by("sequence"))
    check = check_chain(ticket.pk, events)
    # One query for every file: the messages' and those of no message alike.
    attachments = list(Attachment.objects.filter(ticket=ticket))
    messages = (
        ticket_messages(ticket, include_internal=True)
        .prefetch_related(None)
        .prefetch_related(reply_deliveries())
    )
    can_reply = can_reply_as_agent(user, ticket)
    forms = {
        "reply_form": ReplyForm(initial={"status": Status.PENDING}),
        "note_form": NoteForm(),
        "status_form": StatusForm(initial={"status": ticket.status}),
        "priority_form": PriorityForm(initial={"priority": ticket.priority}),
        "assign_form": assign_form(ticket, user),
        "tags_form": TagsForm(initial={"tags": " ".join(t.name for t in ticket.tags.all())}),
        **bound,
    }
    return render(
        request,
        "tickets/agent/ticket.html",
        {
            "ticket": ticket,
            "answers": presenting.answers(ticket, fields),
            "account_context": presenting.context_rows(ticket),
            "flag_notes": presenting.flag_notes(ticket),
            "conversation": presenting.conversation(messages, ticket, attachments=attachments),
            "loose_attachments": [a for a in attachments if a.message_id is None],
            "history": presenting.history_lines(events),
            "history_ok": check.ok,
            "history_verdict": presenting.history_verdict(check),
            "earlier_tickets": earlier_tickets(user, ticket),
            "can_reply": can_reply,
            "reply_reserved": not can_reply
            and ticket.status != Status.CLOSED
            and reply_reserved_for_assignee(user, ticket),
            "canned_replies": filled_replies(ticket, agent=user) if can_reply else [],
            "can_note": can_add_note(user, ticket) and ticket.status != Status.CLOSED,
            "can_change_status": can_change_status(user, ticket),
            **forms,
        },
        status=status,
    )


@require_GET
@agent_only
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return render_ticket(request, access_ticket(request.user, ticket_id))


@require_GET
@agent_only
def attachment(request: HttpRequest, ticket_id: int, attachment_id: int) -> HttpResponseBase:
    return attachment_response(access_attachment(request.user, ticket_id, attachment_id))
